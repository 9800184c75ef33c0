/** One reason a record or a parameter was refused, naming the offending field. */
export interface FieldError {
  /** JSON pointer into the record (`/sourceSystem/name`) or a query parameter name. */
  field: string;
  message: string;
}

import { stringify } from 'scim2-parse-filter';

/**
 * An attribute path a filter or a PATCH may name (RFC 7644 §3.10): an optional schema URN,
 * an attribute and an optional sub-attribute, e.g. `userName`, `name.givenName`,
 * `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber`.
 */
const ATTRIBUTE_PATH =
  /^(?:urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}(?::[A-Za-z0-9()+,\-.=@;$_!*'%/?#]+)+:)?[A-Za-z][\w$-]*(?:\.[A-Za-z][\w$-]*)?$/;

export function isAttributePath(path: string): boolean {
  return path.length <= 500 && ATTRIBUTE_PATH.test(path);
}

/**
 * `attribute eq "value"`, the value written as a JSON string (RFC 7644 §3.4.2.2 takes
 * string literals from JSON, so quotes and backslashes are escaped as JSON escapes them).
 * Throws RangeError for an attribute path that is not one: it comes from configuration,
 * not from the data.
 */
export function equalityFilter(attribute: string, value: string | number | boolean): string {
  if (!isAttributePath(attribute))
    throw new RangeError(`not a SCIM attribute path: ${JSON.stringify(attribute)}`);
  return stringify({ op: 'eq', attrPath: attribute, compValue: value });
}

// Prints docs/error-codes.md: node --import tsx scripts/gen-error-docs.ts > docs/error-codes.md
import { renderErrorCodesMarkdown } from '../src/model/error-codes-doc.ts';

process.stdout.write(renderErrorCodesMarkdown());

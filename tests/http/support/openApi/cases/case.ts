/**
 * One conformance case: a request, the status it must get, and the error code
 * its body must carry, checked against the document by the test file.
 */

/** One request, checked against the document. */
export interface Case {
  /** The operation, `METHOD /path/{template}` as in the document. */
  op: string;
  /** The status this request must get. */
  status: number;
  what: string;
  /** The error code the body must carry. */
  code?: string;
  send(): Promise<Response>;
}

/**
 * The shape of `/openapi.json` as far as the conformance test reads it, and the
 * list of operations it declares.
 */

/** A header object of a response (or of `components.headers`). */
export interface HeaderObject {
  required?: boolean;
  schema?: { type?: string | string[] } & Record<string, unknown>;
}

/** A `$ref` in place of an object. */
export interface RefObject {
  $ref: string;
}

/** One declared response of an operation. */
export interface ResponseObject {
  description?: string;
  content?: Record<string, { schema?: unknown }>;
  headers?: Record<string, HeaderObject | RefObject>;
}

/** An operation object, as a path item holds it under its method. */
export interface OperationObject {
  operationId?: string;
  security?: unknown[];
  parameters?: unknown[];
  requestBody?: unknown;
  responses: Record<string, ResponseObject>;
}

/** The document itself. */
export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, unknown>>;
  components?: { headers?: Record<string, HeaderObject> };
}

/** One operation of the document. */
export interface Operation {
  /** `METHOD /path/{template}`, as cases name it. */
  key: string;
  path: string;
  method: string;
  op: OperationObject;
}

const METHODS = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

/** Every operation of `doc`, in the document's order. */
export function operationsOf(doc: OpenApiDocument): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, op]) => ({
        key: `${method.toUpperCase()} ${path}`,
        path,
        method,
        op: op as OperationObject,
      })),
  );
}

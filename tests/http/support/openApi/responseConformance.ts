/**
 * Whether an answer keeps the promises the document makes for its operation:
 * a declared status, a body valid per the declared schema (Ajv, JSON Schema
 * 2020-12, `$ref`s resolved in the document itself) or none when none is
 * declared, and the declared and pinned headers, each valid per its schema.
 */
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020";
import type {
  HeaderObject,
  OpenApiDocument,
  Operation,
  RefObject,
  ResponseObject,
} from "./openApiDocument.ts";
import { pinnedHeaders } from "./pinnedHeaders.ts";

/** Everything wrong with `res` (whose body is `text`) as an answer of `o`; empty when it conforms. */
export type ConformanceCheck = (o: Operation, res: Response, text: string) => string[];

const DOC_ID = "https://trading-server.invalid/openapi.json";
/** RFC 3339 `date-time` (any fraction digits, `Z` or an offset). */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** A JSON pointer to `segments`, escaped for use in a URI fragment. */
const pointer = (segments: string[]) =>
  segments
    .map((s) => `/${encodeURIComponent(s.replaceAll("~", "~0").replaceAll("/", "~1"))}`)
    .join("");

/** A header value as its schema types it: `Retry-After: 60` is the integer 60. */
function typedHeader(schema: HeaderObject["schema"], raw: string): unknown {
  const type = schema?.type;
  const numeric = type === "integer" || type === "number";
  return numeric && /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
}

/** The check of answers against `doc`, with its own Ajv instance holding the document. */
export function conformanceCheck(doc: OpenApiDocument): ConformanceCheck {
  // strict: false, as the document carries OpenAPI's `example` next to JSON Schema keywords.
  const ajv = new Ajv2020({ strict: false, allErrors: true, logger: false });
  ajv.addFormat("date-time", {
    type: "string",
    validate: (s: string) => DATE_TIME.test(s) && !Number.isNaN(Date.parse(s)),
  });
  ajv.addSchema({ ...doc, $id: DOC_ID });

  const validators = new Map<string, ValidateFunction>();
  function validatorAt(segments: string[]): ValidateFunction {
    const ref = `${DOC_ID}#${pointer(segments)}`;
    let validate = validators.get(ref);
    if (!validate) {
      validate = ajv.compile({ $ref: ref });
      validators.set(ref, validate);
    }
    return validate;
  }

  function resolveHeader(h: HeaderObject | RefObject): HeaderObject {
    if (!("$ref" in h)) return h;
    const name = /^#\/components\/headers\/([^/]+)$/.exec(h.$ref)?.[1];
    const found = name === undefined ? undefined : doc.components?.headers?.[name];
    if (!found) throw new Error(`unresolvable header reference ${h.$ref}`);
    return found;
  }

  return (o, res, text) => {
    const problems: string[] = [];
    const status = String(res.status);
    const declared = Object.keys(o.op.responses);
    const statusKey = [status, `${status[0]}XX`, "default"].find((k) => declared.includes(k));
    if (statusKey === undefined) {
      return [`status ${status} is not declared (declared: ${declared.join(", ")}); body ${text}`];
    }
    const entry = o.op.responses[statusKey] as ResponseObject;

    // (2) The body.
    let code: string | undefined;
    let bodyRequestId: string | undefined;
    const media = entry.content?.["application/json"];
    if (entry.content === undefined) {
      if (text !== "") problems.push(`no content is declared, but the body is ${text}`);
    } else if (media === undefined) {
      problems.push(`declared content is not application/json: ${Object.keys(entry.content)}`);
    } else {
      const type = res.headers.get("content-type") ?? "";
      if (!/^application\/json\b/.test(type)) problems.push(`content-type is "${type}"`);
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        problems.push(`the body is not JSON: ${text.slice(0, 200)}`);
      }
      if (body !== undefined) {
        const validate = validatorAt([
          "paths",
          o.path,
          o.method,
          "responses",
          statusKey,
          "content",
          "application/json",
          "schema",
        ]);
        if (!validate(body)) {
          problems.push(
            `the body does not match the schema: ${ajv.errorsText(validate.errors)}; body ${text.slice(0, 300)}`,
          );
        }
        const error = (body as { error?: { code?: unknown; request_id?: unknown } }).error;
        if (typeof error?.code === "string") code = error.code;
        if (typeof error?.request_id === "string") bodyRequestId = error.request_id;
      }
    }

    // (3) The headers.
    const headers = Object.fromEntries(
      Object.entries(entry.headers ?? {}).map(([name, h]) => [
        name.toLowerCase(),
        resolveHeader(h),
      ]),
    );
    for (const [name, header] of Object.entries(headers)) {
      const raw = res.headers.get(name);
      if (raw === null) {
        if (header.required) problems.push(`required header ${name} is missing`);
        continue;
      }
      if (header.schema !== undefined) {
        const validate = ajv.compile(header.schema);
        if (!validate(typedHeader(header.schema, raw))) {
          problems.push(`header ${name}: "${raw}" ${ajv.errorsText(validate.errors)}`);
        }
      }
    }
    for (const name of pinnedHeaders(o.path, res.status, code)) {
      if (!(name.toLowerCase() in headers)) problems.push(`pinned header ${name} is not declared`);
      if (!res.headers.has(name)) problems.push(`pinned header ${name} is missing`);
    }
    const requestId = res.headers.get("x-request-id");
    if (bodyRequestId !== undefined && bodyRequestId !== requestId) {
      problems.push(`error.request_id ${bodyRequestId} is not X-Request-Id ${requestId}`);
    }
    return problems;
  };
}

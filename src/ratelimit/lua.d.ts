/** Lua scripts are embedded as text (`import x from "./f.lua" with { type: "text" }`). */
declare module "*.lua" {
  const text: string;
  export default text;
}

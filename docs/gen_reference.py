"""Pages of the reference generated at build time (mkdocs-gen-files), so they cannot drift
from the code: the HTTP API from the application's OpenAPI schema, the exit codes from
``sohoa.core.errors.ExitCode``."""

from __future__ import annotations

import ast
import inspect
import itertools
import tempfile
from pathlib import Path

import mkdocs_gen_files

from sohoa.core.errors import ExitCode
from sohoa.core.settings import Settings
from sohoa.search_api.web import create_app


def _schema_name(schema: dict) -> str:
    if "$ref" in schema:
        return f"`{schema['$ref'].rsplit('/', 1)[-1]}`"
    if schema.get("type") == "array":
        return f"list of {_schema_name(schema.get('items', {}))}"
    if schema.get("format") == "binary":
        return "a file"
    return f"`{schema.get('type', 'any')}`"


def api_page() -> str:
    with tempfile.TemporaryDirectory() as home:
        spec = create_app(Settings(home=Path(home)), secret=b"docs").openapi()
    out = ["# The HTTP API", "",
           "Generated from the application's OpenAPI schema (`/openapi.json` on a running "
           "`sohoa serve`, with `/docs` to try it). Sign in with `POST /api/v1/auth/token` "
           "(OAuth2's password flow) and send `Authorization: Bearer TOKEN`.", ""]
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            about = (op.get("description") or op.get("summary") or "").strip()
            out += [f"## `{method.upper()} {path}`", "", about, ""]
            params = [p for p in op.get("parameters", []) if p.get("in") == "query"]
            if params:
                out += ["Query parameters: " + ", ".join(f"`{p['name']}`" for p in params) + ".", ""]
            ok = op["responses"].get("200", {})
            answers = [f"{media}: {_schema_name(body.get('schema', {}))}"
                       for media, body in ok.get("content", {}).items()]
            if answers:
                out += ["Answers " + "; ".join(answers) + ".", ""]
    out += ["## Schemas", ""]
    for name, schema in spec.get("components", {}).get("schemas", {}).items():
        fields = ", ".join(f"`{f}`" for f in schema.get("properties", {}))
        out += [f"### {name}", "", (schema.get("description") or "").strip(), "",
                f"Fields: {fields}." if fields else "", ""]
    return "\n".join(out) + "\n"


def exit_codes_page() -> str:
    """Each code with the docstring under it in the enum."""
    source = inspect.getsource(ExitCode)
    said: dict[str, str] = {}
    body = ast.parse(source).body[0].body  # type: ignore[attr-defined]
    for node, after in itertools.pairwise(body):
        if isinstance(node, ast.Assign) and isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant):
            said[node.targets[0].id] = " ".join(str(after.value.value).split())  # type: ignore[attr-defined]
    rows = ["# Exit codes", "", "Every `sohoa` command ends with one of these (`sohoa.core.errors.ExitCode`), "
            "stable for scripts.", "", "| code | name | meaning |", "|---|---|---|"]
    rows += [f"| {code.value} | `{code.name}` | {said.get(code.name, '')} |" for code in ExitCode]
    return "\n".join(rows) + "\n"


with mkdocs_gen_files.open("reference/api.md", "w") as page:
    page.write(api_page())
with mkdocs_gen_files.open("reference/exit-codes.md", "w") as page:
    page.write(exit_codes_page())

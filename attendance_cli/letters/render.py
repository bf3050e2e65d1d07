"""Rendering a Word template safely: docxtpl (Jinja2 inside .docx) in a sandbox.

A template is an LA's own file, but it is still input: it must not reach files or run code.

* The file is checked before python-docx reads it: a real zip, no part over 20 MB unpacked, no
  more than 2,000 parts, and every XML part parsed with defusedxml first (no DTDs or entities).
* Jinja runs in ``jinja2.sandbox.ImmutableSandboxedEnvironment`` (the SandboxedEnvironment that
  also refuses to change lists and dicts) with ``StrictUndefined``, autoescaping (so an address
  with ``&`` stays valid XML) and a loader that refuses every file, so ``{% include %}``,
  ``{% import %}`` and ``{% extends %}`` cannot load anything.
* Before anything is rendered, every part docxtpl renders (body, headers, footers, footnotes,
  document properties) is parsed and checked: include/import/extends, attribute or key names
  starting with ``_`` (``''.__class__.__mro__``), function and method calls and the ``attr``
  filter are refused; every placeholder must be a field att knows (``merge.FIELDS``): an unknown
  one is an error naming it. The check follows ``{% for %}`` loops and ``{% set %}``.
* The rendered document is read back: any ``{{`` or ``{%`` left is an error.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

from attendance_cli.errors import InvalidInputError, RefusedError

MAX_PART_BYTES = 20 * 1024 * 1024
MAX_PARTS = 2000

# A field schema: a dict of field name -> schema, a list [item schema], or None (a value).
Schema = dict[str, Any] | list[Any] | None


class _TemplateRefused(Exception):
    pass


def check_package(data: bytes, *, name: str) -> None:
    """The .docx must be a sane zip whose XML parts defusedxml accepts."""
    import defusedxml.ElementTree as safe_xml
    from defusedxml import DefusedXmlException

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise InvalidInputError(
            f"Template {name} is not a Word document (.docx)",
            file=name,
            hint="Save the template from Word as a .docx file.",
        ) from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_PARTS:
            raise InvalidInputError(
                f"Template {name} has {len(members)} parts (at most {MAX_PARTS})", file=name
            )
        for member in members:
            if member.file_size > MAX_PART_BYTES:
                raise InvalidInputError(
                    f"Template {name}: part {member.filename} unpacks to {member.file_size} bytes "
                    f"(at most {MAX_PART_BYTES})",
                    file=name,
                    hint="Remove large images or embedded files from the template.",
                )
            if member.filename.endswith((".xml", ".rels")):
                try:
                    safe_xml.fromstring(archive.read(member))
                except (DefusedXmlException, safe_xml.ParseError) as exc:
                    raise InvalidInputError(
                        f"Template {name}: part {member.filename} is not safe, well-formed XML "
                        f"({type(exc).__name__})",
                        file=name,
                        hint="Save the template again from Word.",
                    ) from None
        if "word/document.xml" not in archive.namelist():
            raise InvalidInputError(
                f"Template {name} has no document body (word/document.xml)", file=name
            )


def sandbox() -> Any:
    """The Jinja environment every template renders in."""
    from jinja2 import BaseLoader, StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class RefusingLoader(BaseLoader):
        def get_source(self, environment: Any, template: str) -> Any:
            raise _TemplateRefused(f"a template may not load other files ({template!r})")

    return ImmutableSandboxedEnvironment(
        loader=RefusingLoader(), undefined=StrictUndefined, autoescape=True
    )


_PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")


def _sources(template: Any) -> list[str]:
    """Every text docxtpl renders, as docxtpl patches it (its ``{%p``/``{%tr`` tags resolved):
    the body first, the document properties last."""
    from docx.oxml import parse_xml

    document = template.docx
    texts = [template.patch_xml(template.xml_to_string(document._element.body))]
    for rel in document._part.rels.values():
        if rel.reltype in (template.HEADER_URI, template.FOOTER_URI) and rel.target_part.blob:
            texts.append(
                template.patch_xml(template.xml_to_string(parse_xml(rel.target_part.blob)))
            )
    for part in document._part.package.parts:
        if part.content_type.endswith("wordprocessingml.footnotes+xml"):
            blob = part.blob.decode("utf-8") if isinstance(part.blob, bytes) else part.blob
            texts.append(template.patch_xml(blob))
    props = document.core_properties
    for prop in _PROPERTIES:
        texts.append(getattr(props, prop) or "")
    return texts


@dataclass
class Analysis:
    used: set[str] = field(default_factory=set)  # dotted paths of known fields used
    unknown: set[str] = field(default_factory=set)  # placeholders att does not know
    refused: list[str] = field(default_factory=list)  # why the template is unsafe


def analyse(texts: list[str], fields: dict[str, Any], *, env: Any) -> Analysis:
    """Check every placeholder of the texts against the field schema (see module docstring)."""
    from jinja2 import TemplateSyntaxError

    result = Analysis()
    for text in texts:
        if "{" not in text:
            continue
        try:
            tree = env.parse(text)
        except TemplateSyntaxError as exc:
            raise InvalidInputError(
                f"A placeholder cannot be read: {exc.message}",
                hint="Check that every {{ }} and {% %} in the template is complete and typed "
                "in one go (Word can split a placeholder when it is edited piecemeal).",
            ) from None
        _Walker(fields, result).visit(tree, {})
    return result


class _Walker:
    def __init__(self, fields: dict[str, Any], result: Analysis) -> None:
        self.fields = fields
        self.result = result

    def visit(self, node: Any, scope: dict[str, tuple[str, Schema]]) -> None:
        from jinja2 import nodes

        if isinstance(node, (nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)):
            self.result.refused.append(
                f"{{% {type(node).__name__.lower()} %}} (templates may not load other files)"
            )
            return
        if isinstance(node, nodes.Call):
            self.result.refused.append("a function or method call (templates may only show fields)")
            return
        if isinstance(node, nodes.Filter) and node.name in (
            "attr",
            "map",
            "selectattr",
            "rejectattr",
        ):
            self.result.refused.append(f"the |{node.name} filter")
            return
        if isinstance(node, nodes.Getattr) and node.attr.startswith("_"):
            self.result.refused.append(f"the internal attribute {node.attr!r}")
            return
        if (
            isinstance(node, nodes.Getitem)
            and isinstance(node.arg, nodes.Const)
            and isinstance(node.arg.value, str)
            and node.arg.value.startswith("_")
        ):
            self.result.refused.append(f"the internal attribute {node.arg.value!r}")
            return
        if isinstance(node, nodes.For):
            self.visit(node.iter, scope)
            item = self._resolve(node.iter, scope)
            inner = dict(scope)
            element = item[1][0] if item and isinstance(item[1], list) and item[1] else None
            self._bind(node.target, (item[0] + "[]" if item else "?", element), inner)
            inner["loop"] = ("loop", None)
            for child in [*node.body, *node.else_]:
                self.visit(child, inner)
            if node.test is not None:
                self.visit(node.test, inner)
            return
        if isinstance(node, nodes.Assign):
            self.visit(node.node, scope)
            self._bind(node.target, ("set", None), scope)
            return
        if (
            isinstance(node, (nodes.Getattr, nodes.Getitem, nodes.Name))
            and self._resolve(node, scope, record=True) is not None
        ):
            return
        for child in node.iter_child_nodes():
            self.visit(child, scope)

    def _bind(self, target: Any, value: tuple[str, Schema], scope: dict[str, Any]) -> None:
        from jinja2 import nodes

        for name in target.find_all(nodes.Name) if not isinstance(target, nodes.Name) else [target]:
            scope[name.name] = value

    def _resolve(
        self, node: Any, scope: dict[str, tuple[str, Schema]], *, record: bool = False
    ) -> tuple[str, Schema] | None:
        """The dotted path and schema of a Name/Getattr chain; records unknown placeholders.
        Returns None when the node is not a plain chain (visit its children instead)."""
        from jinja2 import nodes

        chain: list[str] = []
        current = node
        while True:
            if isinstance(current, nodes.Getattr):
                chain.append(current.attr)
                current = current.node
            elif (
                isinstance(current, nodes.Getitem)
                and isinstance(current.arg, nodes.Const)
                and isinstance(current.arg.value, str)
            ):
                chain.append(current.arg.value)
                current = current.node
            elif isinstance(current, nodes.Name):
                break
            else:
                return None
        chain.reverse()
        root = current.name
        if root in scope:
            path, schema = scope[root]
            if schema is None and path in ("set", "loop", "?"):
                return (path, None)  # a variable the template set itself: not checked
        elif root in self.fields:
            path, schema = root, self.fields[root]
        else:
            if record:
                self.result.unknown.add(".".join([root, *chain]))
            return (root, None)
        for name in chain:
            if isinstance(schema, dict) and name in schema:
                schema = schema[name]
                path = f"{path}.{name}"
            else:
                if record:
                    self.result.unknown.add(f"{path}.{name}")
                return (path, None)
        if record:
            self.result.used.add(path)
        return (path, schema)


@dataclass(frozen=True)
class CheckedTemplate:
    name: str
    data: bytes
    analysis: Analysis
    placeholders_outside_body: bool = False  # in a header, footer or footnote


def check_template(name: str, data: bytes, fields: dict[str, Any]) -> CheckedTemplate:
    """Refuse an unsafe template and name every placeholder att does not know; nothing is
    rendered or written."""
    from docxtpl import DocxTemplate

    check_package(data, name=name)
    template = DocxTemplate(io.BytesIO(data))
    template.init_docx()
    texts = _sources(template)
    env = sandbox()
    result = analyse(texts, fields, env=env)
    # docxtpl's own list of top-level names (body, headers, footers) as a cross-check; the walk
    # above also covers footnotes, properties and the fields under each name
    loop_names = {"loop"}
    result.unknown |= {
        name
        for name in template.get_undeclared_template_variables(jinja_env=env)
        if name not in fields and name not in loop_names
    } - {u.split(".")[0] for u in result.unknown}
    if result.refused:
        raise RefusedError(
            f"Template {name} is refused: it uses {'; '.join(sorted(set(result.refused)))}",
            file=name,
            hint="A template may only show att's fields ({{ pupil.name }}), with {% if %} and "
            "{% for %}; see `att letter templates` and the README for the fields.",
        )
    if result.unknown:
        raise InvalidInputError(
            f"Template {name} uses placeholder(s) att does not know: "
            + ", ".join(sorted(result.unknown)),
            file=name,
            hint="Correct or remove them; the README section on letters lists every field.",
        )
    outside = any("{{" in t or "{%" in t for t in texts[1 : -len(_PROPERTIES)])
    return CheckedTemplate(name, data, result, outside)


def render_docx(checked: CheckedTemplate, context: dict[str, Any]) -> bytes:
    """Render in memory; returns the .docx bytes. Fails, with nothing written, on any
    placeholder that cannot be filled."""
    from docxtpl import DocxTemplate
    from jinja2 import TemplateError
    from jinja2.exceptions import SecurityError, UndefinedError

    template = DocxTemplate(io.BytesIO(checked.data))
    try:
        template.render(context, jinja_env=sandbox(), autoescape=True)
    except _TemplateRefused as exc:
        raise RefusedError(
            f"Template {checked.name} is refused: {exc}", file=checked.name
        ) from None
    except SecurityError as exc:
        raise RefusedError(
            f"Template {checked.name} is refused: {exc}", file=checked.name
        ) from None
    except UndefinedError as exc:
        raise InvalidInputError(
            f"Template {checked.name}: a placeholder has no value ({exc.message})",
            file=checked.name,
            hint="The README section on letters lists every field.",
        ) from None
    except TemplateError as exc:
        raise InvalidInputError(
            f"Template {checked.name} could not be rendered: {exc}", file=checked.name
        ) from None
    leftover = [t for t in _texts(template.docx) if "{{" in t or "{%" in t]
    if leftover:
        raise InvalidInputError(
            f"Template {checked.name} left a placeholder unrendered: {leftover[0][:80]!r}",
            file=checked.name,
            hint="Retype the placeholder in Word in one go.",
        )
    buffer = io.BytesIO()
    template.save(buffer)
    return buffer.getvalue()


def document_text(data: bytes) -> list[str]:
    """The paragraphs of a .docx (body, tables, headers and footers), for checks and preview."""
    from docx import Document

    return _texts(Document(io.BytesIO(data)))


def _texts(document: Any) -> list[str]:
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                texts += [p.text for p in cell.paragraphs]
    for section in document.sections:
        for part in (section.header, section.footer):
            texts += [p.text for p in part.paragraphs]
    return texts

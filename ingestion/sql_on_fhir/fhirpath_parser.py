"""A parser for the FHIRPath subset SQL-on-FHIR v2 uses, producing a small AST of tuples.

Precedence follows the FHIRPath specification (section "Operator precedence"), loosest first:
implies; or, xor; and; in, contains; =, ~, !=, !~; <, >, <=, >=; |; is, as; +, -, &; *, /, div, mod;
unary +/-; then invocation (.) and indexer ([]).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingestion.sql_on_fhir.errors import ViewDefinitionError


@dataclass(frozen=True)
class Literal:
    value: object
    fhir_type: str  # string | integer | decimal | boolean | date | dateTime | time | empty


@dataclass(frozen=True)
class Member:  # `name` on `target` (target None: on the focus, $this)
    target: object
    name: str


@dataclass(frozen=True)
class Call:  # `target.name(args)` (target None: invoked on the focus)
    target: object
    name: str
    args: tuple


@dataclass(frozen=True)
class Index:
    target: object
    index: object


@dataclass(frozen=True)
class Binary:
    op: str
    left: object
    right: object


@dataclass(frozen=True)
class Unary:
    op: str
    operand: object


@dataclass(frozen=True)
class Variable:  # %name
    name: str


@dataclass(frozen=True)
class This:  # $this, $index, $total
    name: str


@dataclass(frozen=True)
class TypeOp:  # `expr is Type`, `expr as Type`
    op: str
    target: object
    type_name: str


_TOKEN = re.compile(
    r"""(?P<ws>\s+|//[^\n]*|/\*.*?\*/)
      | (?P<datetime>@T?[0-9][0-9:\-T.+Z]*)
      | (?P<number>[0-9]+(?:\.[0-9]+)?)
      | (?P<string>'(?:[^'\\]|\\.)*')
      | (?P<ident>[A-Za-z_][A-Za-z0-9_]*|`(?:[^`\\]|\\.)*`)
      | (?P<special>\$(?:this|index|total))
      | (?P<env>%(?:[A-Za-z_][A-Za-z0-9_]*|`(?:[^`\\]|\\.)*`|'(?:[^'\\]|\\.)*'))
      | (?P<op><=|>=|!=|!~|[.\[\](),=~<>+\-*/|&{}])""",
    re.VERBOSE | re.DOTALL,
)
_ESCAPES = {
    "'": "'",
    '"': '"',
    "`": "`",
    "\\": "\\",
    "/": "/",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
}
_BINARY_PRECEDENCE = {
    "implies": 1,
    "or": 2,
    "xor": 2,
    "and": 3,
    "in": 4,
    "contains": 4,
    "=": 5,
    "~": 5,
    "!=": 5,
    "!~": 5,
    "<": 6,
    ">": 6,
    "<=": 6,
    ">=": 6,
    "|": 7,
    "is": 8,
    "as": 8,
    "+": 9,
    "-": 9,
    "&": 9,
    "*": 10,
    "/": 10,
    "div": 10,
    "mod": 10,
}
_WORD_OPERATORS = {"implies", "or", "xor", "and", "in", "contains", "is", "as", "div", "mod"}


def _unescape(body: str) -> str:
    def replace(match: re.Match) -> str:
        code = match.group(1)
        if code.startswith("u"):
            return chr(int(code[1:], 16))
        return _ESCAPES.get(code, code)

    return re.sub(r"\\(u[0-9a-fA-F]{4}|.)", replace, body)


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match:
            raise ViewDefinitionError(f"invalid FHIRPath {text!r}: unexpected {text[position:]!r}")
        position = match.end()
        kind = match.lastgroup
        if kind != "ws":
            tokens.append((kind, match.group()))
    tokens.append(("end", ""))
    return tokens


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = _tokenize(text)
        self.position = 0

    def fail(self, what: str):
        raise ViewDefinitionError(f"invalid FHIRPath {self.text!r}: {what}")

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.position]

    def take(self) -> tuple[str, str]:
        token = self.tokens[self.position]
        self.position += 1
        return token

    def expect(self, value: str) -> None:
        kind, text = self.take()
        if text != value or kind not in ("op",):
            self.fail(f"expected {value!r}, found {text or 'end of expression'!r}")

    def binary_operator(self) -> str | None:
        kind, text = self.peek()
        if kind == "op" and text in _BINARY_PRECEDENCE:
            return text
        if kind == "ident" and text in _WORD_OPERATORS:
            return text
        return None

    def expression(self, min_precedence: int = 1):
        left = self.unary()
        while (op := self.binary_operator()) and _BINARY_PRECEDENCE[op] >= min_precedence:
            self.take()
            if op in ("is", "as"):
                left = TypeOp(op, left, self.type_specifier())
            else:
                left = Binary(op, left, self.expression(_BINARY_PRECEDENCE[op] + 1))
        return left

    def type_specifier(self) -> str:
        parts = [self.identifier()]
        while self.peek() == ("op", "."):
            self.take()
            parts.append(self.identifier())
        return ".".join(parts)

    def identifier(self) -> str:
        kind, text = self.take()
        if kind != "ident":
            self.fail(f"expected a name, found {text or 'end of expression'!r}")
        return _unescape(text[1:-1]) if text.startswith("`") else text

    def unary(self):
        kind, text = self.peek()
        if kind == "op" and text in ("+", "-"):
            self.take()
            return Unary(text, self.unary())
        return self.postfix(self.term())

    def postfix(self, node):
        while True:
            kind, text = self.peek()
            if (kind, text) == ("op", "."):
                self.take()
                name = self.identifier()
                node = self.call_or_member(node, name)
            elif (kind, text) == ("op", "["):
                self.take()
                index = self.expression()
                self.expect("]")
                node = Index(node, index)
            else:
                return node

    def call_or_member(self, target, name: str):
        if self.peek() != ("op", "("):
            return Member(target, name)
        self.take()
        args = []
        if self.peek() != ("op", ")"):
            args.append(self.expression())
            while self.peek() == ("op", ","):
                self.take()
                args.append(self.expression())
        self.expect(")")
        return Call(target, name, tuple(args))

    def term(self):
        kind, text = self.take()
        if kind == "number":
            return Literal(text, "decimal" if "." in text else "integer")
        if kind == "string":
            return Literal(_unescape(text[1:-1]), "string")
        if kind == "datetime":
            return _datetime_literal(text)
        if kind == "special":
            return This(text)
        if kind == "env":
            name = text[1:]
            return Variable(_unescape(name[1:-1]) if name[0] in "`'" else name)
        if kind == "ident":
            if text in ("true", "false"):
                return Literal(text == "true", "boolean")
            self.position -= 1
            return self.call_or_member(None, self.identifier())
        if (kind, text) == ("op", "("):
            inner = self.expression()
            self.expect(")")
            return inner
        if (kind, text) == ("op", "{"):
            self.expect("}")
            return Literal(None, "empty")
        self.fail(f"unexpected {text or 'end of expression'!r}")


def _datetime_literal(text: str) -> Literal:
    body = text[1:]
    if body.startswith("T"):
        return Literal(body[1:], "time")
    return Literal(body, "dateTime" if "T" in body else "date")


def parse(text: str):
    """Parse one FHIRPath expression; raise ViewDefinitionError for anything malformed."""
    if not isinstance(text, str) or not text.strip():
        raise ViewDefinitionError(f"a FHIRPath expression must be a non-empty string, not {text!r}")
    parser = _Parser(text)
    node = parser.expression()
    if parser.peek()[0] != "end":
        parser.fail(f"unexpected {parser.peek()[1]!r}")
    return node

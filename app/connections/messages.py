"""Turn pydantic validation errors into plain sentences that name the field."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pydantic import ValidationError

from app.connections.errors import FieldProblem, ProfileValidationError

FIELD_LABELS: Mapping[str, str] = {
    "id": "Connection id",
    "name": "Name",
    "group": "Folder",
    "tag": "Environment tag",
    "read_only": "Read-only",
    "urls": "Management Tool URLs",
    "username": "User name",
    "auth_mode": "Sign-in method",
    "tls": "Certificate trust",
    "tls.mode": "Certificate trust",
    "tls.ca_file": "CA certificate file",
    "tls.pinned_sha256": "Pinned certificate fingerprint",
    "proxy": "Proxy",
    "proxy.mode": "Proxy",
    "proxy.url": "Proxy URL",
    "poll_interval_s": "Poll interval",
    "notes": "Notes",
    "remember_password": "Remember password",
    "capacity": "Clients per server",
}

_MISSING_SENTENCES: Mapping[str, str] = {
    "urls": "Add at least one Management Tool URL.",
}

_TYPE_SENTENCES: Mapping[str, str] = {
    "missing": "{label} is required.",
    "string_type": "{label} must be text.",
    "float_type": "{label} must be a number.",
    "float_parsing": "{label} must be a number.",
    "finite_number": "{label} must be a number.",
    "bool_type": "{label} must be yes or no.",
    "bool_parsing": "{label} must be yes or no.",
    "tuple_type": "{label} must be a list.",
    "list_type": "{label} must be a list.",
    "model_type": "{label} has the wrong shape.",
    "model_attributes_type": "{label} has the wrong shape.",
    "dict_type": "{label} has the wrong shape.",
}


def _field_name(loc: Sequence[int | str]) -> str:
    """Dotted field name without list indexes: ``("urls", 1)`` -> ``"urls"``."""
    return ".".join(str(part) for part in loc if isinstance(part, str))


def _sentence(
    error_type: str, field: str, label: str, raw_message: str, ctx: Mapping[str, object]
) -> str:
    if error_type == "missing" and field in _MISSING_SENTENCES:
        return _MISSING_SENTENCES[field]
    if error_type == "value_error" and "error" in ctx:
        # Our own validators raise ValueError with a finished sentence.
        return str(ctx["error"])
    if error_type == "enum" and "expected" in ctx:
        return f"{label} must be one of {ctx['expected']}."
    template = _TYPE_SENTENCES.get(error_type)
    if template is not None:
        return template.format(label=label)
    return f"{label}: {raw_message}."


def profile_error_from(exc: ValidationError) -> ProfileValidationError:
    """The friendly equivalent of a pydantic error raised while validating a connection."""
    problems: list[FieldProblem] = []
    for error in exc.errors(include_url=False):
        field = _field_name(error["loc"])
        label = FIELD_LABELS.get(field, field.replace("_", " ").capitalize() or "The connection")
        message = _sentence(error["type"], field, label, error["msg"], error.get("ctx") or {})
        problem = FieldProblem(field=field, message=message)
        if problem not in problems:
            problems.append(problem)
    return ProfileValidationError(problems)

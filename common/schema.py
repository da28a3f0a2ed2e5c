"""OpenAPI: every operation documents the one error shape, for every error status it can answer."""
from drf_spectacular.authentication import SessionScheme

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error", "message", "fields"],
    "properties": {
        "error": {"type": "string", "description": "Stable machine-readable code."},
        "message": {"type": "string", "description": "Human-readable message, in Vietnamese by default."},
        "fields": {"type": "object", "additionalProperties": True, "description": "Errors per input field."},
    },
}
ERROR_STATUSES = {
    "400": "Dữ liệu không hợp lệ.",
    "401": "Chưa đăng nhập.",
    "403": "Không có quyền.",
    "404": "Không tìm thấy.",
    "405": "Phương thức không được hỗ trợ.",
    "409": "Xung đột trạng thái.",
    "413": "Tệp quá lớn.",
    "415": "Định dạng không được hỗ trợ.",
    "429": "Quá nhiều yêu cầu.",
}


def _allow_empty_filters(operation):
    """django-filter reads an empty query value (`?kind=`, `?producer=`) as "no filter": say so."""
    for parameter in operation.get("parameters", []):
        schema = parameter.get("schema", {})
        if parameter.get("in") != "query" or "anyOf" in schema:
            continue
        plain_text = schema.get("type") == "string" and "enum" not in schema and "format" not in schema
        if plain_text:
            continue
        parameter["schema"] = {"anyOf": [schema, {"type": "string", "maxLength": 0}]}
        parameter["description"] = (parameter.get("description", "") + " Empty: no filter.").strip()


def add_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"$ref": "#/components/schemas/Error"}
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            _allow_empty_filters(operation)
            for status, description in ERROR_STATUSES.items():
                operation["responses"].setdefault(status, {
                    "description": description, "content": {"application/json": {"schema": reference}},
                })
    return result


class AuditedSessionScheme(SessionScheme):
    """common.authentication.SessionAuthentication is DRF's (it also names the audit log's actor):
    documented the same. (Token authentication's scheme already matches subclasses.)"""

    target_class = "common.authentication.SessionAuthentication"

"""FHIR JSON responses and the error shapes the /fhir routes document in OpenAPI."""

from __future__ import annotations

from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict


class FhirJSONResponse(JSONResponse):
    media_type = "application/fhir+json"


class OperationOutcomeOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    resourceType: str
    issue: list[dict]


_ERROR = {"model": OperationOutcomeOut, "content": {"application/fhir+json": {}}}
FHIR_ERRORS = {
    400: {**_ERROR, "description": "Bad request"},
    401: {**_ERROR, "description": "Not signed in"},
    403: {**_ERROR, "description": "The caller's role may not do this"},
    404: {**_ERROR, "description": "Not found (also: not yours to see)"},
    422: {**_ERROR, "description": "The resource or a parameter is invalid"},
}


def resource_response(resource: dict, status_code: int = 200, headers: dict | None = None):
    meta = resource.get("meta", {})
    extra = {}
    if "versionId" in meta:
        extra["ETag"] = f'W/"{meta["versionId"]}"'
    return FhirJSONResponse(resource, status_code=status_code, headers={**extra, **(headers or {})})


def json_text_response(body: str, version_id: int, headers: dict | None = None) -> Response:
    """A stored resource's JSON text, sent as it is (no parse and re-dump on the read path)."""
    return Response(body, media_type=FhirJSONResponse.media_type,
                    headers={"ETag": f'W/"{version_id}"', **(headers or {})})

"""A fake Google server: the Gemini API and Vertex AI (Veo and Gemini images), offline.

Speaks the wire format of provider-protocols.md §4 and provider-updates.md §1.1-1.3 on
127.0.0.1:

- Gemini API (key in ``x-goog-api-key``): ``POST /v1beta/models/{model}:predictLongRunning``
  → ``{"name": "models/{model}/operations/{id}"}``; ``GET /v1beta/models/{model}/operations/{id}``
  → ``{"name", "done", "response": {"generateVideoResponse": {"generatedSamples": [{"video":
  {"uri"}}]}}}``; ``GET /v1beta/files/{id}:download?alt=media`` (key required) → MP4 bytes;
  ``POST /v1beta/models/{model}:generateContent`` → candidates with ``inlineData`` images
  and ``usageMetadata``. It refuses what the Gemini API refuses (``seed``,
  ``generateAudio``, ``storageUri``, ``gcsUri`` images) with 400 INVALID_ARGUMENT.
- Vertex AI (``Authorization: Bearer`` with a token this fake issued or
  ``STATIC_TOKEN``): ``POST /v1/projects/{p}/locations/{r}/publishers/google/models/{model}:
  predictLongRunning`` and ``...:fetchPredictOperation {"operationName"}`` → inline
  ``videos[].bytesBase64Encoded`` (or ``gcsUri`` under ``storageUri``); ``...:generateContent``.
  Express mode: the same under ``/v1/publishers/google/models/...`` with ``x-goog-api-key``.
- An OAuth token endpoint ``POST /token``: ``jwt-bearer`` grants (RS256 assertions checked
  against the public keys of ``service_accounts``) and ``refresh_token`` grants.
- ``GET /assets/{name}`` serves input images for tests of URL inputs.

Errors are google.rpc.Status bodies: ``{"error": {"code", "message", "status"}}``.
Prompt words trigger outcomes: ``fail-job`` (operation done with ``error``),
``rai-filter`` (done, no samples, ``raiMediaFilteredCount``), ``block-prompt``
(image ``promptFeedback.blockReason``), ``image-safety`` (finishReason ``IMAGE_SAFETY``).
"""

from __future__ import annotations

import base64
import binascii
import itertools
import threading
from typing import Any
from urllib.parse import parse_qs

from tarash.tarash_gateway import _mock_media
from tarash.tarash_gateway._media import sniff_content_type
from tarash.tarash_gateway.testing import FakeRequest, FakeResponse, FakeServer, ScriptedJob

STATIC_TOKEN = "ya29.static-test-token"
MODEL = r"(?P<model>[^/:]+)"
VERTEX_MODEL = (
    r"/(?P<version>v1|v1beta1)/(?:projects/(?P<project>[^/]+)/locations/(?P<region>[^/]+)/)?"
    r"publishers/google/models/(?P<model>[^/:]+)"
)
DURATIONS = (4, 6, 8)
ASPECTS = ("16:9", "9:16")
IMAGE_ASPECTS = ("1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9")
GEMINI_REFUSED = ("seed", "generateAudio", "storageUri", "fps", "compressionQuality")
MP4 = _mock_media.sample("sample.mp4")


VEO_BODY = ("instances", "parameters", "webhookConfig", "labels")
GENERATE_BODY = (
    "contents",
    "generationConfig",
    "safetySettings",
    "tools",
    "toolConfig",
    "systemInstruction",
    "cachedContent",
)


def _unknown_names(body: dict[str, Any], known: tuple[str, ...]) -> FakeResponse | None:
    """Google's answer to a top-level name its request message does not have."""
    for name in body:
        if name not in known:
            return invalid(
                f'Invalid JSON payload received. Unknown name "{name}": Cannot find field.'
            )
    return None


def error(code: int, message: str, status: str, **extra: Any) -> FakeResponse:
    """A google.rpc.Status error answer."""
    return FakeResponse.json(
        {"error": {"code": code, "message": message, "status": status, **extra}}, code
    )


def invalid(message: str) -> FakeResponse:
    """400 INVALID_ARGUMENT."""
    return error(400, message, "INVALID_ARGUMENT")


class FakeGoogleServer(FakeServer):
    """Fake of the Gemini API, Vertex AI and Google's OAuth token endpoint.

    Args:
        polls: Status checks before an operation is done.
        seconds: Finish operations after this many seconds instead (benchmarks).
    """

    def __init__(self, polls: int = 3, seconds: float | None = None) -> None:
        super().__init__()
        self.polls = polls
        self.seconds = seconds
        self.outcome: str | None = None
        """A prompt word (``fail-job``, ``rai-filter``) applied to every later operation."""
        self.operations: dict[str, dict[str, Any]] = {}
        self.jobs: dict[str, ScriptedJob] = {}
        self.files: dict[str, bytes] = {}
        self.tokens: set[str] = {STATIC_TOKEN}
        self.service_accounts: dict[str, str] = {}
        """client_email → PEM public key, for jwt-bearer grants."""
        self.refresh_tokens: dict[str, tuple[str, str]] = {}
        """refresh_token → (client_id, client_secret), for refresh_token grants."""
        self.assets: dict[str, tuple[bytes, str]] = {
            "input.png": (_mock_media.png(64, 64), "image/png")
        }
        self._ids = itertools.count(1)
        self._ops_lock = threading.Lock()
        for method, pattern, handler in (
            ("POST", rf"/v1beta/models/{MODEL}:predictLongRunning", self._gemini_start),
            ("GET", rf"/v1beta/models/{MODEL}/operations/(?P<op>[^/]+)", self._gemini_operation),
            ("GET", r"/v1beta/files/(?P<file>[^/:]+):download", self._gemini_file),
            ("POST", rf"/v1beta/models/{MODEL}:generateContent", self._gemini_image),
            ("POST", rf"{VERTEX_MODEL}:predictLongRunning", self._vertex_start),
            ("POST", rf"{VERTEX_MODEL}:fetchPredictOperation", self._vertex_fetch),
            ("POST", rf"{VERTEX_MODEL}:generateContent", self._vertex_image),
            ("POST", r"/token", self._token),
            ("GET", r"/assets/(?P<name>[^/]+)", self._asset),
        ):
            self.add_route(method, pattern, handler)

    # ------------------------------------------------------------ auth
    @staticmethod
    def _key(request: FakeRequest) -> FakeResponse | None:
        if request.query.get("key"):
            return invalid("tests forbid ?key=: the key must travel in x-goog-api-key")
        if not request.headers.get("x-goog-api-key"):
            return error(
                403,
                "Method doesn't allow unregistered callers (callers without established identity).",
                "PERMISSION_DENIED",
            )
        if request.headers["x-goog-api-key"].startswith("bad"):
            return error(400, "API key not valid. Please pass a valid API key.", "INVALID_ARGUMENT")
        return None

    def _vertex_auth(self, request: FakeRequest, express: bool) -> FakeResponse | None:
        if express:
            return self._key(request)
        auth = request.headers.get("authorization", "")
        if not auth.startswith("Bearer ") or auth[len("Bearer ") :] not in self.tokens:
            return error(
                401,
                "Request had invalid authentication credentials. Expected OAuth 2 access token.",
                "UNAUTHENTICATED",
            )
        return None

    # ------------------------------------------------------------ veo
    def _new_operation(
        self, name: str, model: str, body: dict[str, Any], vertex: bool
    ) -> dict[str, Any]:
        operation = {
            "name": name,
            "model": model,
            "body": body,
            "vertex": vertex,
            "done": False,
            "outcome": self.outcome or "",
        }
        with self._ops_lock:
            self.operations[name] = operation
            self.jobs[name] = ScriptedJob(polls=self.polls, seconds=self.seconds)
        return operation

    def _check_veo(self, body: dict[str, Any], vertex: bool) -> FakeResponse | None:
        unknown = _unknown_names(body, VEO_BODY)
        if unknown:
            return unknown
        instances = body.get("instances")
        if not isinstance(instances, list) or len(instances) != 1:
            return invalid("instances must hold exactly one instance.")
        instance, parameters = instances[0], body.get("parameters") or {}
        if not instance.get("prompt"):
            return invalid("prompt is required.")
        if not vertex:
            for name in GEMINI_REFUSED:
                if name in parameters:
                    return invalid(f"{name} isn't supported by this model.")
        if "inlineData" in instance:
            return invalid(
                "Invalid JSON payload received. Unknown name \"inlineData\" at 'instances[0]'."
            )
        images = [instance[k] for k in ("image", "lastFrame") if k in instance]
        refs = instance.get("referenceImages") or []
        if len(refs) > 3:
            return invalid("At most 3 reference images are supported.")
        for ref in refs:
            if ref.get("referenceType") not in ("asset", "ASSET"):
                return invalid("referenceType must be asset.")
            images.append(ref.get("image") or {})
        if refs and ("image" in instance or "lastFrame" in instance):
            return invalid("referenceImages cannot be combined with image or lastFrame.")
        if "lastFrame" in instance and "image" not in instance:
            return invalid("lastFrame requires image.")
        for image in images:
            problem = self._bad_image(image, vertex)
            if problem:
                return invalid(problem)
        if parameters.get("durationSeconds", 8) not in DURATIONS:
            return invalid(
                f"durationSeconds {parameters['durationSeconds']} is out of range [4, 8]."
            )
        if parameters.get("aspectRatio", "16:9") not in ASPECTS:
            return invalid(f"aspectRatio {parameters['aspectRatio']} is not supported.")
        if refs and (
            parameters.get("durationSeconds", 8) != 8
            or parameters.get("aspectRatio", "16:9") != "16:9"
        ):
            return invalid("Reference images only support 8 second 16:9 videos.")
        if parameters.get("personGeneration", "allow_all") not in (
            "allow_all",
            "allow_adult",
            "dont_allow",
        ):
            return invalid("personGeneration is invalid.")
        return None

    @staticmethod
    def _bad_image(image: dict[str, Any], vertex: bool) -> str | None:
        if "gcsUri" in image:
            return None if vertex else "gcsUri isn't supported by the Gemini API."
        if "bytesBase64Encoded" not in image or "mimeType" not in image:
            return "image needs bytesBase64Encoded and mimeType."
        try:
            data = base64.b64decode(image["bytesBase64Encoded"], validate=True)
        except (binascii.Error, ValueError):
            return "bytesBase64Encoded is not base64."
        if not sniff_content_type(data, "").startswith("image/"):
            return "the image could not be decoded."
        return None

    def _gemini_start(self, request: FakeRequest, model: str) -> FakeResponse:
        refused = self._key(request)
        if refused:
            return refused
        body = request.json() or {}
        problem = self._check_veo(body, vertex=False)
        if problem:
            return problem
        if "invalid-arg" in body["instances"][0]["prompt"]:
            return invalid("The prompt could not be submitted. Try rephrasing.")
        name = f"models/{model}/operations/op{next(self._ids):04d}"
        self._new_operation(name, model, body, vertex=False)
        return FakeResponse.json({"name": name})

    def _advance(self, operation: dict[str, Any], request: FakeRequest) -> dict[str, Any]:
        """The operation's public body after one more status check."""
        name = operation["name"]
        if operation["done"] or self.jobs[name].phase() != "done":
            return self._public(operation)
        prompt = f"{operation['body']['instances'][0]['prompt']} {operation['outcome']}"
        operation["done"] = True
        if "fail-job" in prompt:
            operation["error"] = {
                "code": 13,
                "message": "Video generation failed due to an internal error.",
                "details": [],
            }
        elif "rai-filter" in prompt:
            operation["result"] = {
                "raiMediaFilteredCount": 1,
                "raiMediaFilteredReasons": [
                    "The video could not be generated (support code 58061214)."
                ],
            }
        elif operation["vertex"]:
            storage = operation["body"].get("parameters", {}).get("storageUri")
            video = (
                {
                    "gcsUri": f"{storage.rstrip('/')}/{name.rsplit('/', 1)[-1]}/sample_0.mp4",
                    "mimeType": "video/mp4",
                }
                if storage
                else {"bytesBase64Encoded": base64.b64encode(MP4).decode(), "mimeType": "video/mp4"}
            )
            operation["result"] = {"raiMediaFilteredCount": 0, "videos": [video]}
        else:
            file_id = f"f{next(self._ids):04d}"
            self.files[file_id] = MP4
            host = request.headers.get("host", "")  # the API's own host, as Google answers
            scheme = "http" if host.startswith("127.0.0.1") else "https"
            uri = f"{scheme}://{host}/v1beta/files/{file_id}:download?alt=media"
            operation["result"] = {"generatedSamples": [{"video": {"uri": uri}}]}
        return self._public(operation)

    @staticmethod
    def _public(operation: dict[str, Any]) -> dict[str, Any]:
        public: dict[str, Any] = {"name": operation["name"]}
        if not operation["done"]:
            return public  # Google leaves "done" out while running
        public["done"] = True
        if "error" in operation:
            public["error"] = operation["error"]
        elif operation["vertex"]:
            public["response"] = {
                "@type": "type.googleapis.com/cloud.ai.large_models.vision.GenerateVideoResponse",
                **operation["result"],
            }
        else:
            public["response"] = {
                "@type": "type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse",
                "generateVideoResponse": operation["result"],
            }
        return public

    def _gemini_operation(self, request: FakeRequest, model: str, op: str) -> FakeResponse:
        refused = self._key(request)
        if refused:
            return refused
        operation = self.operations.get(f"models/{model}/operations/{op}")
        if operation is None:
            return error(404, f"Operation models/{model}/operations/{op} not found.", "NOT_FOUND")
        return FakeResponse.json(self._advance(operation, request))

    def _gemini_file(self, request: FakeRequest, file: str) -> FakeResponse:
        refused = self._key(request)
        if refused:
            return refused
        if file not in self.files:
            return error(404, f"File {file} not found.", "NOT_FOUND")
        return FakeResponse.raw(self.files[file], "video/mp4")

    def _vertex_start(
        self,
        request: FakeRequest,
        version: str,
        model: str,
        project: str | None = None,
        region: str | None = None,
    ) -> FakeResponse:
        refused = self._vertex_auth(request, express=project is None)
        if refused:
            return refused
        body = request.json() or {}
        problem = self._check_veo(body, vertex=True)
        if problem:
            return problem
        where = f"projects/{project}/locations/{region}/" if project else ""
        name = f"{where}publishers/google/models/{model}/operations/{next(self._ids):04d}-vtx"
        self._new_operation(name, model, body, vertex=True)
        return FakeResponse.json({"name": name})

    def _vertex_fetch(
        self,
        request: FakeRequest,
        version: str,
        model: str,
        project: str | None = None,
        region: str | None = None,
    ) -> FakeResponse:
        refused = self._vertex_auth(request, express=project is None)
        if refused:
            return refused
        name = (request.json() or {}).get("operationName")
        operation = self.operations.get(str(name))
        if operation is None or operation["model"] != model:
            return error(404, f"Operation {name} not found.", "NOT_FOUND")
        return FakeResponse.json(self._advance(operation, request))

    # ------------------------------------------------------------ images
    def _image(self, request: FakeRequest, model: str, vertex: bool) -> FakeResponse:
        body = request.json() or {}
        unknown = _unknown_names(body, GENERATE_BODY)
        if unknown:
            return unknown
        contents = body.get("contents")
        if not isinstance(contents, list) or not contents:
            return invalid("contents is not specified.")
        parts = contents[0].get("parts") or []
        texts = [p["text"] for p in parts if "text" in p]
        if not texts:
            return invalid("A text part is required.")
        for part in parts:
            inline = part.get("inlineData")
            if inline is not None:
                try:
                    data = base64.b64decode(inline.get("data", ""), validate=True)
                except (binascii.Error, ValueError):
                    return invalid("inlineData.data is not base64.")
                if not inline.get("mimeType") or not sniff_content_type(data, "").startswith(
                    "image/"
                ):
                    return invalid("Unable to process input image.")
        config = body.get("generationConfig") or {}
        if "IMAGE" not in (config.get("responseModalities") or []):
            return invalid("responseModalities must include IMAGE for this model.")
        image_config = config.get("imageConfig") or {}
        if image_config.get("aspectRatio", "1:1") not in IMAGE_ASPECTS:
            return invalid(f"aspectRatio {image_config['aspectRatio']} is not supported.")
        if "imageSize" in image_config and model.startswith("gemini-2.5"):
            return invalid("imageSize is not supported by this model.")
        prompt = " ".join(texts)
        usage = {"promptTokenCount": 12, "candidatesTokenCount": 1290, "totalTokenCount": 1302}
        if "block-prompt" in prompt:
            return FakeResponse.json(
                {
                    "promptFeedback": {"blockReason": "SAFETY", "safetyRatings": []},
                    "usageMetadata": usage,
                }
            )
        if "image-safety" in prompt:
            return FakeResponse.json(
                {
                    "candidates": [
                        {
                            "content": {"role": "model", "parts": []},
                            "finishReason": "IMAGE_SAFETY",
                            "index": 0,
                        }
                    ],
                    "usageMetadata": usage,
                }
            )
        image = base64.b64encode(_mock_media.png(32, 32)).decode()
        return FakeResponse.json(
            {
                "candidates": [
                    {
                        "content": {
                            "role": "model",
                            "parts": [{"inlineData": {"mimeType": "image/png", "data": image}}],
                        },
                        "finishReason": "STOP",
                        "index": 0,
                    }
                ],
                "usageMetadata": usage,
                "modelVersion": model,
                "responseId": f"resp-{next(self._ids):04d}",
            }
        )

    def _gemini_image(self, request: FakeRequest, model: str) -> FakeResponse:
        return self._key(request) or self._image(request, model, vertex=False)

    def _vertex_image(
        self,
        request: FakeRequest,
        version: str,
        model: str,
        project: str | None = None,
        region: str | None = None,
    ) -> FakeResponse:
        return self._vertex_auth(request, express=project is None) or self._image(
            request, model, vertex=True
        )

    # ------------------------------------------------------------ oauth
    def _token(self, request: FakeRequest) -> FakeResponse:
        form = {k: v[-1] for k, v in parse_qs(request.body.decode()).items()}
        grant = form.get("grant_type")
        if grant == "urn:ietf:params:oauth:grant-type:jwt-bearer":
            from google.auth import jwt  # test dependency: verifies the RS256 signature

            assertion = form.get("assertion", "")
            try:
                claims = jwt.decode(assertion, verify=False)
                key = self.service_accounts[claims["iss"]]
                claims = jwt.decode(assertion, certs=key, audience=f"{self.url}/token")
            except (KeyError, ValueError) as exc:
                return FakeResponse.json(
                    {"error": "invalid_grant", "error_description": f"Invalid JWT: {exc}"}, 400
                )
            if claims.get("scope") != "https://www.googleapis.com/auth/cloud-platform":
                return FakeResponse.json({"error": "invalid_scope"}, 400)
        elif grant == "refresh_token":
            client = self.refresh_tokens.get(form.get("refresh_token", ""))
            if client != (form.get("client_id"), form.get("client_secret")):
                return FakeResponse.json(
                    {"error": "invalid_grant", "error_description": "Bad Request"}, 400
                )
        else:
            return FakeResponse.json({"error": "unsupported_grant_type"}, 400)
        token = f"ya29.fake-{next(self._ids):04d}"
        self.tokens.add(token)
        return FakeResponse.json(
            {"access_token": token, "expires_in": 3599, "token_type": "Bearer"}
        )

    def _asset(self, request: FakeRequest, name: str) -> FakeResponse:
        if name not in self.assets:
            return FakeResponse.json({"error": "not found"}, 404)
        content, content_type = self.assets[name]
        return FakeResponse.raw(content, content_type)

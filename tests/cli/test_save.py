"""``response.save(path)`` / ``await response.asave(path)``: every media form, to a file."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest

from tarash.tarash_gateway import _mock_media
from tarash.tarash_gateway.exceptions import HTTPConnectionError, HTTPError
from tarash.tarash_gateway.models import (
    ImageGenerationResponse,
    TTSResponse,
    VideoGenerationResponse,
)
from tarash.tarash_gateway.testing import FakeResponse, FakeServer

MP4 = _mock_media.sample("sample.mp4")
PNG = _mock_media.png(4, 4, 1)
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
WEBM = b"\x1a\x45\xdf\xa3" + b"\x00" * 64


@pytest.fixture
def files() -> Iterator[FakeServer]:
    server = FakeServer()
    server.add_route("GET", r"/v.mp4", lambda req: FakeResponse.raw(MP4, "video/mp4"))
    server.add_route(
        "GET", r"/clip.webm", lambda req: FakeResponse.raw(WEBM, "binary/octet-stream")
    )
    server.add_route(
        "GET", r"/noext", lambda req: FakeResponse.raw(MP4, "application/octet-stream")
    )
    with server:
        yield server


def video(value, content_type=None) -> VideoGenerationResponse:
    return VideoGenerationResponse(request_id="r1", video=value, content_type=content_type)


def test_url_is_downloaded_and_named_from_the_served_type(files, tmp_path):
    path = video(f"{files.url}/v.mp4").save(tmp_path / "out")

    assert path == tmp_path / "out.mp4"
    assert path.read_bytes() == MP4
    assert [p.name for p in tmp_path.iterdir()] == ["out.mp4"]  # no .part left over


@pytest.mark.anyio
async def test_asave_downloads_on_the_loop(files, tmp_path):
    path = await video(f"{files.url}/v.mp4").asave(tmp_path / "nested" / "dir" / "out")

    assert path == tmp_path / "nested" / "dir" / "out.mp4"
    assert path.read_bytes() == MP4


def test_generic_served_type_falls_back_to_bytes_then_url(files, tmp_path):
    sniffed = video(f"{files.url}/noext").save(tmp_path / "a")
    from_url = video(f"{files.url}/clip.webm?X-Amz-Signature=abc").save(tmp_path / "b")

    assert sniffed.name == "a.mp4"
    assert from_url.name == "b.webm" and from_url.read_bytes() == WEBM


def test_an_explicit_suffix_is_kept(files, tmp_path):
    path = video(f"{files.url}/v.mp4").save(tmp_path / "clip.video")

    assert path == tmp_path / "clip.video"


def test_bytes_base64_and_data_uris(tmp_path):
    raw = video({"content": MP4, "content_type": "video/mp4"}).save(tmp_path / "raw")
    speech = TTSResponse(
        request_id="r2", audio=base64.b64encode(b"RIFF\x00\x00\x00\x00WAVEfmt ").decode(),
        content_type="audio/wav",
    )  # fmt: skip
    data_uri = "data:image/png;base64," + base64.b64encode(PNG).decode()
    image = ImageGenerationResponse(
        request_id="r3", images=[data_uri, base64.b64encode(JPEG).decode()]
    )

    assert raw.name == "raw.mp4" and raw.read_bytes() == MP4
    assert speech.save(tmp_path / "hi").name == "hi.wav"
    assert image.save(tmp_path / "first").read_bytes() == PNG
    # the default image/png is not trusted over the bytes: a JPEG is saved as .jpg
    second = image.save(tmp_path / "second", index=1)
    assert second.name == "second.jpg" and second.read_bytes() == JPEG


def test_a_failed_download_raises_a_tarash_error_and_leaves_no_file(files, tmp_path):
    files.inject("GET", r"/v.mp4", status=403)
    with pytest.raises(HTTPError) as info:
        video(f"{files.url}/v.mp4?token=secret").save(tmp_path / "x.mp4")

    assert info.value.status_code == 403
    assert "secret" not in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_a_dropped_download_raises_connection_error(files, tmp_path):
    files.inject("GET", r"/v.mp4", drop=True)
    with pytest.raises(HTTPConnectionError):
        video(f"{files.url}/v.mp4").save(tmp_path / "x.mp4")

    assert list(tmp_path.iterdir()) == []


def test_undecodable_inline_media_is_refused(tmp_path):
    with pytest.raises(ValueError, match="not a URL, data URI or valid base64"):
        video("not base64 at all!").save(tmp_path / "x.mp4")

    assert list(tmp_path.iterdir()) == []

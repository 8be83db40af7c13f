"""Media inputs are checked by their bytes before any request; local files just work."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest

from tarash.tarash_gateway import (
    _mock_media,
    generate_image,
    generate_sts,
    generate_video,
    generate_video_async,
)
from tarash.tarash_gateway._media import sniff_content_type, to_bytes, to_data_uri
from tarash.tarash_gateway._media_check import check_media
from tarash.tarash_gateway.exceptions import ValidationError
from tarash.tarash_gateway.models import (
    AudioGenerationConfig,
    ImageGenerationConfig,
    ImageGenerationRequest,
    STSRequest,
    VideoGenerationConfig,
    VideoGenerationRequest,
)
from tarash.tarash_gateway.testing import config_for
from tests.plugins.fal.fake_fal import FakeFalServer

PNG = _mock_media.png(8, 8)
WAV = _mock_media.wav(0.1)
MP3 = _mock_media.sample("sample.mp3")
MP4 = _mock_media.sample("sample.mp4")

# The first bytes of small files written by ffmpeg 9.0 (imageio-ffmpeg); HEIC by hand
# from ISO/IEC 23008-12 (an ftyp box of major brand 'heic', as iPhones write).
HEADS = {
    "image/jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x02\x00\x00\x01\x00\x01\x00\x00\xff\xfe",
    "image/webp": b"RIFF<\x00\x00\x00WEBPVP8 0\x00\x00\x00\xd0\x01\x00\x9d\x01*\x10\x00",
    "image/gif": b"GIF89a\x10\x00\x10\x00\xf7\x1f1\x00\x00\x00$\x00\x00H\x00\x00l\x00",
    "image/avif": b"\x00\x00\x00 ftypavif\x00\x00\x00\x00avifmif1miafMA1B\x00\x00\x00\xf9meta",
    "image/heic": b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic\x00\x00\x01\x00meta",
    "audio/flac": b"fLaC\x00\x00\x00\x22\x04\x00\x04\x00\x00\x00\xa3\x00\x01v\n\xc4@\xf0",
    "audio/ogg": b"OggS\x00\x02" + bytes(20) + b"\x01\x13OpusHead\x01\x018\x01",
    "audio/mp4": b"\x00\x00\x00\x1cftypM4A \x00\x00\x02\x00M4A isomiso2\x00\x00\x00\x08free",
    "audio/aac": b"\xff\xf1P@ \xff\xfc\xdc\x00Lavc63.1.102\x00\x02`\xac[\xa9Pr",
    "video/quicktime": b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  \x00\x00\x00\x08wide",
    "video/webm": b"\x1aE\xdf\xa3\x9fB\x86\x81\x01B\xf7\x81\x01B\xf2\x81\x04B\xf3\x81\x08webm",
    "image/png": PNG[:32],
    "audio/wav": WAV[:32],
    "audio/mpeg": MP3[:32],
    "video/mp4": MP4[:32],
}


@pytest.mark.parametrize("content_type", sorted(HEADS))
def test_every_documented_format_is_recognised_from_its_bytes(content_type):
    assert sniff_content_type(HEADS[content_type], "?") == content_type


def test_text_is_not_taken_for_media():
    assert sniff_content_type(b"meeting notes: buy milk\n", "?") == "?"


# ---------------------------------------------------------------- wrong types
def fox(**fields) -> VideoGenerationRequest:
    return VideoGenerationRequest(prompt="a fox", **fields)


def test_a_text_file_given_as_an_image_is_refused_naming_field_found_and_accepted():
    request = fox(image_list=[{"image": b"meeting notes\n", "type": "first_frame"}])

    with pytest.raises(ValidationError) as caught:
        generate_video(VideoGenerationConfig(provider="mock"), request)

    message = caught.value.message
    assert message.startswith("image_list[0].image: found text ('meeting notes')")
    assert "accepted: image (image/png, image/jpeg, image/webp, image/gif" in message


def test_audio_given_as_a_video_says_what_it_found():
    with pytest.raises(ValidationError, match=r"\] video: found audio/mpeg; accepted: video "):
        generate_video(VideoGenerationConfig(provider="mock"), fox(video=MP3))


def test_a_declared_content_type_the_bytes_contradict_is_an_error_not_a_relabel():
    jpeg = {"content": HEADS["image/jpeg"] + bytes(100), "content_type": "image/png"}

    with pytest.raises(ValidationError, match="declared 'image/png' but the data is image/jpeg"):
        check_media(jpeg, "mask_image", "image")
    with pytest.raises(ValidationError, match="declared 'video/mp4' but the data is image/png"):
        check_media(to_data_uri(PNG).replace("image/png", "video/mp4"), "video", "video")


def test_declared_aliases_and_generic_types_are_fine():
    assert check_media({"content": MP3, "content_type": "audio/mp3"}, "audio", "audio") == (
        "audio/mpeg"
    )
    assert check_media({"content": PNG, "content_type": "application/octet-stream"}, "x", "image")


def test_a_model_may_accept_fewer_types_and_a_size_limit():
    with pytest.raises(ValidationError, match=r"found image/gif; accepted: image \(image/png\)"):
        check_media(HEADS["image/gif"] + bytes(64), "image_list[0].image", "image", ("image/png",))
    with pytest.raises(ValidationError, match="0.0 MB is over this model's limit of 0.0 MB"):
        check_media(PNG, "mask_image", "image", max_bytes=10)


def test_sts_audio_that_is_not_audio_is_refused_before_the_mock_answers():
    request = STSRequest(audio=PNG, voice_id="v")

    with pytest.raises(ValidationError, match=r"\] audio: found image/png; accepted: audio"):
        generate_sts(AudioGenerationConfig(provider="mock"), request)


# ---------------------------------------------------------------- strings
def test_a_string_that_looks_like_a_local_path_gets_the_pathlib_hint():
    request = ImageGenerationRequest(
        prompt="p", image_list=[{"image": "shots/first frame.png", "type": "reference"}]
    )

    with pytest.raises(ValidationError) as caught:
        generate_image(ImageGenerationConfig(provider="mock"), request)

    assert caught.value.message == (
        "image_list[0].image: 'shots/first frame.png' is not a URL (http/https), a data URI "
        "or base64; local paths: pass pathlib.Path('shots/first frame.png')"
    )


def test_a_long_value_is_shown_truncated():
    value = "folder/" + "x" * 200 + ".png"

    with pytest.raises(ValidationError) as caught:
        check_media(value, "mask_image", "image")

    assert "'folder/xxxxxxxx" in caught.value.message and "...'" in caught.value.message
    assert len(caught.value.message) < 250


def test_ids_and_other_uri_schemes_are_left_to_the_provider():
    assert check_media("video_0002a221deb048", "video", "video") is None
    assert check_media("gs://bucket/in.mp4", "video", "video") is None
    assert check_media("https://cdn.example.com/notes.txt", "video", "video") is None


def test_base64_media_is_checked_like_bytes():
    text = base64.b64encode(b"this is not an image at all, just words" * 3).decode()

    with pytest.raises(ValidationError, match="found text"):
        check_media(text, "mask_image", "image")
    assert check_media(base64.b64encode(PNG).decode(), "mask_image", "image") == "image/png"


# ---------------------------------------------------------------- local files
def test_a_path_is_read_when_needed_and_sent_as_a_data_uri(tmp_path: Path):
    image = tmp_path / "first.png"
    image.write_bytes(PNG)

    assert check_media(image, "image_list[0].image", "image") == "image/png"
    assert to_data_uri(image, "image/png") == "data:image/png;base64," + base64.b64encode(
        PNG
    ).decode("ascii")


def test_a_missing_path_is_refused_naming_it(tmp_path: Path):
    missing = tmp_path / "nope.png"

    with pytest.raises(
        ValidationError, match=f"\\] image_list\\[0\\].image: no such file: '{missing}'"
    ):
        generate_video(
            VideoGenerationConfig(provider="mock"),
            fox(image_list=[{"image": missing, "type": "first_frame"}]),
        )


def test_an_open_binary_file_is_peeked_not_consumed(tmp_path: Path):
    (tmp_path / "clip.mp4").write_bytes(MP4)
    with (tmp_path / "clip.mp4").open("rb") as file:
        assert check_media(file, "video", "video") == "video/mp4"
        assert file.tell() == 0
        assert to_bytes(file) == (MP4, "video/mp4")
    assert check_media(io.BytesIO(WAV), "audio", "audio") == "audio/wav"


def test_a_file_open_in_text_mode_says_how_to_open_it(tmp_path: Path):
    (tmp_path / "notes.txt").write_text("hello")
    with (tmp_path / "notes.txt").open() as file:
        with pytest.raises(ValidationError, match=r"open it with open\(path, 'rb'\)"):
            check_media(file, "mask_image", "image")


# ---------------------------------------------------------------- end to end (fal)
@pytest.fixture
def fal_server():
    with FakeFalServer(polls=1) as server:
        yield server


def fal_config(server: FakeFalServer) -> VideoGenerationConfig:
    model = "fal-ai/veo3.1/fast/image-to-video"
    return config_for(server, "fal", "video", model=model, api_key="fal-key", timeout=None)


def test_fal_is_never_called_for_a_text_file_given_as_an_image(fal_server, tmp_path):
    notes = tmp_path / "notes.png"  # the name says PNG; the bytes say text
    notes.write_text("not an image")

    with pytest.raises(ValidationError, match=r"fal-ai/veo3\.1/fast/image-to-video\].*found text"):
        generate_video(
            fal_config(fal_server), fox(image_list=[{"image": notes, "type": "first_frame"}])
        )

    assert fal_server.requests == []


@pytest.mark.anyio
async def test_a_path_reaches_fal_as_a_data_uri_async(fal_server, tmp_path):
    frame = tmp_path / "frame.jpg"  # a PNG whatever its name says
    frame.write_bytes(PNG)

    await generate_video_async(
        fal_config(fal_server), fox(image_list=[{"image": frame, "type": "first_frame"}])
    )

    assert fal_server.payload()["image_url"] == (
        "data:image/png;base64," + base64.b64encode(PNG).decode("ascii")
    )


# ---------------------------------------------------------------- a model's own limits
def test_a_fields_accepts_limits_the_size_of_its_media(tmp_path):
    from tarash.tarash_gateway._media_check import check_accepted_media
    from tarash.tarash_gateway.capabilities import Accepts

    big = tmp_path / "big.png"
    big.write_bytes(PNG + bytes(6_000_000))
    frames = Accepts(roles=("first_frame",), media="image", max_bytes=5_000_000)
    images = [{"image": PNG, "type": "first_frame"}, {"image": big, "type": "first_frame"}]

    with pytest.raises(ValidationError) as refused:
        check_accepted_media(frames, "image_list", images)
    assert refused.value.message == (
        "image_list[1].image: 6.0 MB is over this model's limit of 5.0 MB for media sent inline; "
        "pass a URL or a smaller file"
    )
    check_accepted_media(frames, "image_list", [{"image": big, "type": "reference"}])  # not read
    check_accepted_media(
        frames, "image_list", [{"image": "https://x.test/a.png", "type": "first_frame"}]
    )
    check_accepted_media(Accepts(values=(1, 2)), "n", 1)  # no media: nothing to check


def test_the_limit_of_the_path_the_media_takes_applies():
    from tarash.tarash_gateway._media_check import check_accepted_media, media_size
    from tarash.tarash_gateway.capabilities import Accepts

    video = Accepts(media="video", max_bytes=1000, max_upload_bytes=5000)
    data = bytes(3000)
    uri = "data:video/mp4;base64," + base64.b64encode(data).decode()
    assert media_size(data) == media_size(uri) == media_size({"content": data}) == 3000
    assert media_size("https://x.test/v.mp4") is None  # never downloaded
    check_accepted_media(video, "video", uri, upload_threshold=2000, model="m")  # uploaded
    with pytest.raises(ValidationError) as inline:
        check_accepted_media(video, "video", uri, upload_threshold=None, model="m")
    assert inline.value.message == (
        "video: 3000 bytes is over m's limit of 1000 bytes for media sent inline; "
        "pass a URL or a smaller file"
    )
    with pytest.raises(ValidationError, match="upload_threshold_bytes below 3000"):
        check_accepted_media(video, "video", data, upload_threshold=4000, model="m")
    with pytest.raises(ValidationError, match="for uploaded media; pass a smaller file"):
        check_accepted_media(video, "video", bytes(6000), upload_threshold=2000, model="m")

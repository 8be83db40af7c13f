"""`tarash` as a subprocess against the offline mock provider: files, JSON, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
import wave
from pathlib import Path

import pytest

from tarash.tarash_gateway._media import sniff_content_type
from tests.cli.conftest import cli_env, command


def is_mp4(path: Path) -> bool:
    return path.read_bytes()[4:8] == b"ftyp"


def is_png(path: Path) -> bool:
    return path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_readme_quick_start_writes_the_video_and_says_where(run, tmp_path):
    result = run("video", "a red fox in the snow", "--provider", "mock", "-o", "fox.mp4")

    assert result.code == 0, result.stderr
    assert is_mp4(tmp_path / "fox.mp4")
    assert result.stdout.startswith("tarash: saved fox.mp4 (13.1 kB) in ")
    assert "via mock/mock-video" in result.stdout


def test_installed_console_script_runs(tmp_path):
    script = Path(sys.executable).with_name("tarash")
    if not script.exists():
        pytest.skip("tarash-core is not installed with its console script in this environment")
    done = subprocess.run(
        [str(script), "image", "a lighthouse", "-p", "mock", "-q"],
        cwd=tmp_path,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert is_png(tmp_path / "a-lighthouse.png")


def test_without_output_a_name_from_the_prompt_never_overwrites(run, tmp_path):
    first = run("video", "A red fox, in the snow!", "-p", "mock")
    second = run("video", "A red fox, in the snow!", "-p", "mock")

    assert (first.code, second.code) == (0, 0)
    assert is_mp4(tmp_path / "a-red-fox-in-the-snow.mp4")
    assert is_mp4(tmp_path / "a-red-fox-in-the-snow-2.mp4")
    assert "a-red-fox-in-the-snow-2.mp4" in second.stdout


def test_output_without_suffix_gets_one_from_the_content_type(run, tmp_path):
    result = run("image", "a cat", "-p", "mock", "-o", "out/cat", "--size", "64x32")

    assert result.code == 0, result.stderr
    assert is_png(tmp_path / "out" / "cat.png")
    assert "out/cat.png" in result.stdout


def test_output_folder_and_several_images(run, tmp_path):
    (tmp_path / "shots").mkdir()
    result = run("image", "two cats", "-p", "mock", "-n", "2", "-o", "shots")

    assert result.code == 0, result.stderr
    assert is_png(tmp_path / "shots" / "two-cats.png")
    assert is_png(tmp_path / "shots" / "two-cats-2.png")


def test_json_prints_the_whole_response_with_metadata(run, tmp_path):
    result = run("image", "a cat", "-p", "mock", "--json", "-o", "cat.png", "--seed", "7")

    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["provider"] == "mock" and data["model"] == "mock-image"
    assert data["is_mock"] is True
    assert data["execution_metadata"]["attempts"][0]["status"] == "success"
    assert data["saved_to"] == ["cat.png"]
    assert is_png(tmp_path / "cat.png")
    assert "saved cat.png" in result.stderr  # the human line moves to stderr


def test_json_of_a_video_given_as_bytes_is_base64(run, tmp_path):
    result = run("video", "a fox", "-p", "mock", "--json", "-q")

    data = json.loads(result.stdout)
    assert data["video"]["content_type"] == "video/mp4"
    assert isinstance(data["video"]["content"], str)  # base64, not raw bytes
    assert result.stderr == ""


def test_tts_reads_stdin_and_honours_the_output_format(run, tmp_path):
    result = run("tts", "-", "-p", "mock", "--output-format", "wav_22050", "-o", "hi", stdin="Hi!")

    assert result.code == 0, result.stderr
    with wave.open(str(tmp_path / "hi.wav")) as audio:
        assert audio.getframerate() == 22050


def test_sts_takes_an_input_file(run, tmp_path):
    assert (
        run("tts", "hello there", "-p", "mock", "-o", "in.wav", "--output-format", "wav").code == 0
    )

    result = run("sts", "in.wav", "-p", "mock", "--voice", "bob")

    assert result.code == 0, result.stderr
    assert sniff_content_type((tmp_path / "in-bob.mp3").read_bytes()) == "audio/mpeg"


def test_fallback_chain_and_params_reach_the_request(run):
    result = run(
        "video", "a fox", "-p", "mock", "--fallback", "mock:mock-backup", "--param", "fps=24",
        "--json", "-q",
    )  # fmt: skip

    data = json.loads(result.stdout)
    assert data["execution_metadata"]["configs_in_chain"] == 2
    assert data["execution_metadata"]["fallback_triggered"] is False


def test_no_command_prints_help_and_exits_2(run):
    result = run()

    assert result.code == 2
    assert "usage: tarash" in result.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["video", "x", "-p", "mock", "--duration", "0"],
            "--duration 0: is not accepted; accepted: greater than or equal to 1",
        ),
        (
            ["video", "x", "-p", "mock", "--param", "novalue"],
            "--param 'novalue': expected KEY=VALUE",
        ),
        (["video", "x", "-p", "mock", "--image", "first_frame=nope.png"], "no such file"),
        (
            ["video", "x", "-p", "mock", "--image", "frist_frame=a.png"],
            "unknown role 'frist_frame'",
        ),
        (["video", "x", "-p", "nope"], "unknown provider 'nope'. Installed providers: mock."),
        (["video", "x", "-p", "fal"], "pip install tarash-fal"),
        (["tts", "x", "-p", "fal"], "--voice is required for tts"),
        (["tts", "x", "-p", "mock", "--output-format", "mp3_fast"], "--output-format 'mp3_fast'"),
        (["video", "x", "-p", "mock", "--aspect-ratio", "5:7"], "invalid choice: '5:7'"),
        (["tts", "-", "-p", "mock"], "TEXT: stdin was empty"),
    ],
)
def test_usage_and_validation_errors_exit_2_with_one_line(run, args, expected):
    result = run(*args, stdin="")

    assert result.code == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1


def test_providers_lists_installed_plugins(run):
    result = run("providers")

    assert result.code == 0
    assert "tarash-core" in result.stdout
    assert "mock" in result.stdout and "video, image, tts, sts" in result.stdout
    assert "no key needed" in result.stdout


def test_providers_models_and_json(run):
    text = run("providers", "--models", "mock")
    data = json.loads(run("providers", "--json").stdout)
    missing = run("providers", "--models", "fal")

    assert text.code == 0
    assert "default models: video=mock-video" in text.stdout
    assert [p["name"] for p in data["providers"]] == ["mock"]
    assert data["broken"] == []
    assert missing.code == 2 and "pip install tarash-fal" in missing.stderr


def test_output_dash_writes_the_media_to_stdout(tmp_path):
    done = subprocess.run(
        command("tts", "hello", "-p", "mock", "--output-format", "wav", "-o", "-"),
        cwd=tmp_path,
        env=cli_env(),
        capture_output=True,
        timeout=60,
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout[:4] == b"RIFF" and done.stdout[8:12] == b"WAVE"
    assert b"wrote 16.0 kB to stdout" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_output_dash_refuses_json(run):
    result = run("tts", "hello", "-p", "mock", "-o", "-", "--json")

    assert result.code == 2
    assert "cannot be combined with --json" in result.stderr


def test_tts_stream_writes_audio_to_stdout_as_it_arrives(tmp_path):
    import subprocess

    from tests.cli.conftest import cli_env, command

    done = subprocess.run(
        command("tts", "hello there", "-p", "mock", "--stream", "--output-format", "wav"),
        cwd=tmp_path,
        env=cli_env(),
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout[:4] == b"RIFF" and done.stdout[8:12] == b"WAVE"
    assert b"streamed" in done.stderr and b"audio/wav" in done.stderr
    to_file = subprocess.run(
        command("tts", "hello", "-p", "mock", "--stream", "-o", "hello.mp3"),
        cwd=tmp_path,
        env=cli_env(),
        capture_output=True,
        timeout=60,
    )
    assert to_file.returncode == 0, to_file.stderr
    mp3 = (tmp_path / "hello.mp3").read_bytes()
    assert mp3[:3] == b"ID3" or (mp3[0] == 0xFF and mp3[1] & 0xE0 == 0xE0)  # tag or frame sync
    assert not list(tmp_path.glob(".*.part"))


def test_tts_stream_to_an_unwritable_folder_fails_before_anything_is_sent(tmp_path):
    import subprocess

    from tests.cli.conftest import cli_env, command

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    done = subprocess.run(
        command("tts", "hello", "-p", "mock", "--stream", "-o", str(blocker / "x.mp3")),
        cwd=tmp_path,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "nothing was sent" in done.stderr

"""The job lifecycle through the public API: submit, status, wait, cancel, by handle.

Against the echo provider's fake server (real HTTP on 127.0.0.1), sync and async.
"""

import asyncio

import pytest

from tarash.tarash_gateway import (
    cancel_job,
    cancel_job_async,
    generate_video,
    get_job_status,
    get_job_status_async,
    submit_image,
    submit_tts,
    submit_video,
    submit_video_async,
    wait_for_job,
    wait_for_job_async,
)
from tarash.tarash_gateway.exceptions import (
    GenerationFailedError,
    HTTPError,
    TimeoutError,
    ValidationError,
)
from tarash.tarash_gateway.models import (
    AudioGenerationConfig,
    GenerationJob,
    ImageGenerationConfig,
    ImageGenerationRequest,
    TTSRequest,
    VideoGenerationConfig,
    VideoGenerationRequest,
    VideoGenerationResponse,
    VideoGenerationUpdate,
)
from tarash.tarash_gateway.testing import config_for

KEY = "sk-echo-key-123456"
REQUEST = VideoGenerationRequest(prompt="fox", duration_seconds=4)


def echo_config(server, **overrides):
    return config_for(server, "echo", "video", **{"api_key": KEY, **overrides})


def submit(driver, config, request=REQUEST):
    if driver == "sync":
        return submit_video(config, request)
    return asyncio.run(submit_video_async(config, request))


def wait(driver, job, config, on_progress=None):
    if driver == "sync":
        return wait_for_job(job, config, on_progress)
    return asyncio.run(wait_for_job_async(job, config, on_progress))


def status(driver, job, config):
    if driver == "sync":
        return get_job_status(job, config)
    return asyncio.run(get_job_status_async(job, config))


def cancel(driver, job, config):
    if driver == "sync":
        return cancel_job(job, config)
    return asyncio.run(cancel_job_async(job, config))


def test_submit_returns_at_once_with_a_handle_that_holds_no_key(echo_server, driver):
    job = submit(driver, echo_config(echo_server))
    assert isinstance(job, GenerationJob)
    assert (job.provider, job.model, job.modality) == ("echo", "echo-video", "video")
    assert job.request_id == "job-1" and job.status == "queued" and job.attempt_number == 1
    assert job.base_url == echo_server.url and job.created_at.tzinfo is not None
    assert echo_server.count("POST", "/v1/jobs") == 1
    assert echo_server.count("GET", "/v1/jobs/job-1") == 0
    text = job.model_dump_json()
    assert KEY not in text and KEY not in repr(job)
    assert GenerationJob.model_validate_json(text).model_dump() == job.model_dump()


def test_handle_from_json_status_then_wait(echo_server, driver):
    echo_server.polls = 3
    config = echo_config(echo_server)
    text = submit(driver, config).model_dump_json()
    job = GenerationJob.model_validate_json(text)  # as if in another process
    update = status(driver, job, config)
    assert isinstance(update, VideoGenerationUpdate)
    assert update.status == "queued" and update.request_id == "job-1" and update.result is None
    assert job.status == "queued"
    updates = []
    response = wait(driver, job, config, updates.append)
    assert isinstance(response, VideoGenerationResponse)
    assert response.video == f"{echo_server.url}/files/job-1.mp4"
    assert [u.status for u in updates] == ["queued", "processing", "completed"]
    assert response.execution_metadata.successful_attempt == 1
    assert response.execution_metadata.attempts[0].request_id == "job-1"
    assert job.status == "completed" and job.result["video"] == response.video
    assert echo_server.count("POST", "/v1/jobs") == 1
    # a finished handle answers without a request
    polls = echo_server.count("GET", "/v1/jobs/job-1")
    assert status(driver, job, config).result.video == response.video
    assert wait(driver, job, config).video == response.video
    assert echo_server.count("GET", "/v1/jobs/job-1") == polls


def test_wait_accepts_the_handle_as_json_text(echo_server):
    config = echo_config(echo_server)
    text = submit_video(config, REQUEST).model_dump_json()
    assert wait_for_job(text, config).request_id == "job-1"


def test_generate_is_submit_then_wait_with_one_submit(echo_server, driver):
    echo_server.inject("GET", r"/v1/jobs/job-1", status=503, json_body={"e": "busy"}, times=2)
    config = echo_config(echo_server)
    job = submit(driver, config)
    response = wait(driver, job, config)
    direct = generate_video(config, REQUEST)
    assert response.video.endswith("job-1.mp4") and direct.video.endswith("job-2.mp4")
    assert echo_server.count("POST", "/v1/jobs") == 2  # one per job, none repeated


def test_cancel_by_handle(echo_server, driver):
    echo_server.polls = 50
    config = echo_config(echo_server)
    job = GenerationJob.model_validate_json(submit(driver, config).model_dump_json())
    assert cancel(driver, job, config) is True
    assert echo_server.count("DELETE", "/v1/jobs/job-1") == 1
    assert echo_server.jobs["job-1"].cancelled and job.status == "cancelled"
    assert cancel(driver, job, config) is False  # already finished: no request
    assert echo_server.count("DELETE", "/v1/jobs/job-1") == 1
    with pytest.raises(GenerationFailedError, match="cancelled"):
        wait(driver, job, config)


def test_a_failed_job_is_a_failed_update_and_wait_raises(echo_server, driver):
    echo_server.polls = 1
    echo_server.fail_jobs = True
    config = echo_config(echo_server)
    job = submit(driver, config)
    update = status(driver, job, config)
    assert update.status == "failed" and "crashed" in update.error
    assert job.status == "failed"
    with pytest.raises(GenerationFailedError) as caught:
        wait(driver, job, config)
    assert caught.value.request_id == "job-1"


def test_wait_timeout_leaves_the_job_running(echo_server, driver):
    echo_server.polls = 1000
    config = echo_config(echo_server, max_poll_attempts=2)
    job = submit(driver, config)
    with pytest.raises(TimeoutError) as caught:
        wait(driver, job, config)
    assert echo_server.count("DELETE", "/v1/jobs/job-1") == 0  # the handle stays valid
    assert caught.value.execution_metadata.attempts[-1].status == "failed"
    assert job.status in ("queued", "processing")


def test_a_config_for_another_provider_is_refused_before_any_request(echo_server):
    job = submit_video(echo_config(echo_server), REQUEST)
    other = VideoGenerationConfig(provider="mock", mock={"enabled": True})
    with pytest.raises(ValidationError, match="'echo'.*'mock'"):
        get_job_status(job, other)
    moved = echo_config(echo_server, base_url="http://127.0.0.1:9")
    with pytest.raises(ValidationError, match="submitted to"):
        wait_for_job(job, moved)
    with pytest.raises(ValidationError, match="GenerationJob"):
        wait_for_job('{"id": 1}', echo_config(echo_server))
    assert echo_server.count("GET", "/v1/jobs/job-1") == 0


def test_the_key_comes_from_the_later_config(echo_server):
    job = submit_video(echo_config(echo_server), REQUEST)
    other_key = "sk-another-key-98765"
    get_job_status(job, echo_config(echo_server, api_key=other_key))
    assert echo_server.last("GET", "/v1/jobs/job-1").headers["authorization"] == (
        f"Bearer {other_key}"
    )


def test_fallback_applies_at_submit(echo_server):
    echo_server.inject("POST", r"/v1/jobs", status=503, json_body={"e": "overloaded"}, times=1)
    fallback = echo_config(echo_server, model="echo-video-2")
    config = echo_config(echo_server, fallback_configs=[fallback])
    job = submit_video(config, REQUEST)
    assert job.attempt_number == 2 and job.model == "echo-video-2" and job.configs_in_chain == 2
    assert [a.status for a in job.attempts] == ["failed", "success"]
    # the chain's config finds the link that took the job
    response = wait_for_job(GenerationJob.model_validate_json(job.model_dump_json()), config)
    meta = response.execution_metadata
    assert meta.successful_attempt == 2 and meta.fallback_triggered and meta.total_attempts == 2


def test_a_submit_refused_on_every_link_raises(echo_server):
    echo_server.inject("POST", r"/v1/jobs", status=402, json_body={"e": "no credit"}, times=1)
    with pytest.raises(HTTPError):
        submit_video(echo_config(echo_server), REQUEST)


def test_one_shot_providers_return_a_completed_handle():
    config = AudioGenerationConfig(provider="mock", mock={"enabled": True})
    job = submit_tts(config, TTSRequest(text="hello", voice_id="v1"))
    assert job.status == "completed" and job.is_mock
    again = GenerationJob.model_validate_json(job.model_dump_json())
    response = wait_for_job(again, config)
    assert response.content_type == "audio/mpeg" and response.audio == job.result["audio"]


def test_mock_jobs_poll_from_a_handle_in_another_process():
    config = ImageGenerationConfig(
        provider="mock",
        mock={"enabled": True, "polling": {"enabled": True, "delay_between_updates": 0}},
    )
    job = submit_image(config, ImageGenerationRequest(prompt="p", size="32x16", n=2))
    assert job.status == "queued"
    response = wait_for_job(GenerationJob.model_validate_json(job.model_dump_json()), config)
    assert len(response.images) == 2


def test_inline_media_of_a_completed_handle_survive_json(tmp_path):
    config = VideoGenerationConfig(provider="mock", mock={"enabled": True})
    job = submit_video(config, REQUEST)
    assert job.result["video"].startswith("data:video/mp4;base64,")
    response = wait_for_job(GenerationJob.model_validate_json(job.model_dump_json()), config)
    saved = response.save(tmp_path / "out")
    assert saved.suffix == ".mp4" and saved.stat().st_size > 100


def test_a_handle_pointing_at_another_host_is_refused_before_any_request(echo_server):
    config = echo_config(echo_server)
    job = submit_video(config, REQUEST)
    data = job.model_dump()
    data["data"]["status_url"] = "https://attacker.example/steal"
    with pytest.raises(ValidationError, match="attacker.example.*refused"):
        get_job_status(GenerationJob.model_validate(data), config)
    assert echo_server.count("GET", "/v1/jobs/job-1") == 0

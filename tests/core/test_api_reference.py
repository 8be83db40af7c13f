"""The documented examples of api-reference.txt, run unchanged (mock / registered handler)."""

import asyncio

from tarash.tarash_gateway import (
    generate_image,
    generate_image_async,
    generate_video,
    generate_video_async,
    get_provider_field_mapping,
    register_provider,
    register_provider_field_mapping,
)
from tarash.tarash_gateway.mock import MockConfig
from tarash.tarash_gateway.models import (
    ImageGenerationConfig,
    ImageGenerationRequest,
    ProviderHandler,  # noqa: F401 - imported by the documented example
    VideoGenerationConfig,
    VideoGenerationRequest,
    VideoGenerationResponse,
    VideoGenerationUpdate,
)
from tarash.tarash_gateway.providers.field_mappers import (
    duration_field_mapper,
    passthrough_field_mapper,
)


def test_register_provider_example():
    calls = []

    class MyHandler:
        def generate_video(self, config, request, on_progress=None):
            calls.append("sync")
            return VideoGenerationResponse(
                request_id="r", video="https://x/v.mp4", status="completed", raw_response={}
            )

        async def generate_video_async(self, config, request, on_progress=None):
            calls.append("async")
            return VideoGenerationResponse(
                request_id="r", video="https://x/v.mp4", status="completed", raw_response={}
            )

    register_provider("my-provider", MyHandler())
    config = VideoGenerationConfig(provider="my-provider", model="my-model", api_key="...")
    request = VideoGenerationRequest(prompt="p")
    assert generate_video(config, request).video == "https://x/v.mp4"
    response = asyncio.run(generate_video_async(config, request))
    assert calls == ["sync", "async"]
    assert response.execution_metadata.attempts[0].provider == "my-provider"


def test_handler_with_only_one_method_serves_both_apis():
    class SyncOnly:
        def generate_video(self, config, request, on_progress=None):
            return VideoGenerationResponse(request_id="s", video="https://x", status="completed")

    class AsyncOnly:
        async def generate_video_async(self, config, request, on_progress=None):
            return VideoGenerationResponse(request_id="a", video="https://x", status="completed")

    register_provider("sync-only", SyncOnly())
    register_provider("async-only", AsyncOnly())
    request = VideoGenerationRequest(prompt="p")
    assert (
        asyncio.run(
            generate_video_async(VideoGenerationConfig(provider="sync-only"), request)
        ).request_id
        == "s"
    )
    assert generate_video(VideoGenerationConfig(provider="async-only"), request).request_id == "a"


def test_register_provider_field_mapping_example():
    register_provider_field_mapping(
        "my-provider",
        {
            "my-provider/model-v1": {
                "prompt": passthrough_field_mapper("prompt", required=True),
                "num_seconds": duration_field_mapper(field_type="int"),
            },
        },
    )
    mapping = get_provider_field_mapping("my-provider")
    assert set(mapping["my-provider/model-v1"]) == {"prompt", "num_seconds"}
    assert get_provider_field_mapping("nobody") is None


def test_generate_video_examples(capsys):
    config = VideoGenerationConfig(
        provider="fal", model="fal-ai/veo3", api_key="FAL_KEY", mock=MockConfig(enabled=True)
    )
    request = VideoGenerationRequest(
        prompt="A cat playing piano, cinematic lighting",
        duration_seconds=4,
        aspect_ratio="16:9",
    )
    response = generate_video(config, request)
    print(response.video)

    async def main():
        def on_progress(update: VideoGenerationUpdate) -> None:
            print(f"{update.status} — {update.progress_percent}%")

        response = await generate_video_async(config, request, on_progress)
        print(response.video)

    asyncio.run(main())
    assert "completed — 100%" in capsys.readouterr().out


def test_generate_image_examples(capsys):
    config = ImageGenerationConfig(provider="mock", api_key="OPENAI_KEY")
    request = ImageGenerationRequest(
        prompt="A futuristic cityscape at dusk, photorealistic",
        size="1024x1024",
        quality="hd",
    )
    response = generate_image(config, request)
    print(response.images[0][:10])

    async def main():
        response = await generate_image_async(config, request)
        print(response.images[0][:10])

    asyncio.run(main())
    assert capsys.readouterr().out.count("iVBORw0KGg") == 2


def test_handler_errors_never_show_the_configured_key():
    from tarash.tarash_gateway.exceptions import HTTPError

    class Leaky:
        def generate_video(self, config, request, on_progress=None):
            raise HTTPError(f"upstream refused key {config.api_key}", status_code=401)

    register_provider("leaky", Leaky())
    config = VideoGenerationConfig(provider="leaky", api_key="sk-handler-secret-99")
    try:
        generate_video(config, VideoGenerationRequest(prompt="p"))
    except HTTPError as error:
        assert "sk-handler-secret-99" not in str(error)
        assert "sk-handler-secret-99" not in error.execution_metadata.model_dump_json()
    else:
        raise AssertionError("the handler's error was swallowed")

import tarash.tarash_gateway as gateway
from tarash.tarash_gateway import exceptions, plugin
from tarash.tarash_gateway.providers import field_mappers


def test_public_names_are_exported_and_sorted():
    for module in (gateway, exceptions, plugin, field_mappers):
        assert module.__all__ == sorted(module.__all__), module.__name__
        for name in module.__all__:
            assert hasattr(module, name), f"{module.__name__}.{name}"


def test_documented_api_is_importable():
    from tarash.tarash_gateway import (  # noqa: F401
        generate_image,
        generate_image_async,
        generate_sts,
        generate_sts_async,
        generate_tts,
        generate_tts_async,
        generate_video,
        generate_video_async,
        get_provider_field_mapping,
        register_provider,
        register_provider_field_mapping,
    )
    from tarash.tarash_gateway.models import (  # noqa: F401
        AsyncProgressCallback,
        AttemptMetadata,
        AudioGenerationConfig,
        AudioOutputFormat,
        ExecutionMetadata,
        ImageGenerationConfig,
        ImageGenerationRequest,
        ImageGenerationResponse,
        ImageGenerationUpdate,
        ImageType,
        MediaContent,
        ProgressCallback,
        ProviderHandler,
        STSRequest,
        STSResponse,
        STSUpdate,
        TTSRequest,
        TTSResponse,
        TTSUpdate,
        VideoGenerationConfig,
        VideoGenerationRequest,
        VideoGenerationResponse,
        VideoGenerationUpdate,
    )

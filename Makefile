.PHONY: run test setup stop bench

run:    ## set everything up, start Airflow + Streamlit, evaluate the demo models
	scripts/run.sh

test:   ## set everything up and run the whole test suite
	scripts/setup.sh
	.venvs/platform/bin/python -m pytest tests -ra

setup:
	scripts/setup.sh

stop:
	scripts/stop.sh

bench:  ## pipeline vs lm_eval run directly, side by side
	scripts/setup.sh
	.venvs/platform/bin/python bench/pipeline_vs_lm_eval.py

# journey — everything runs in .venv, built from the lock file.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb))
# one BLAS thread: the same numbers on every machine, and no oversubscription on small ones
export OPENBLAS_NUM_THREADS := 1
export OMP_NUM_THREADS := 1
export MKL_NUM_THREADS := 1

.PHONY: help venv system test lint report lab lock bench sample clean

help:
	@echo "make report  - run the study notebooks on data/sample/ and write HTML to reports/"
	@echo "make test    - lint, unit tests and nbval over every notebook"
	@echo "make lab     - open JupyterLab"
	@echo "make system  - install Chromium and a Chinese font (Debian; for the browser test)"
	@echo "make sample  - regenerate data/sample/ from the simulation"
	@echo "make bench   - run the speed benchmarks (slow; by hand)"
	@echo "make lock    - re-pin requirements.lock from pyproject.toml"

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

venv: $(STAMP)

# Debian packages: headless Chromium (report test) and a CJK font (Chinese figures)
system:
	bash scripts/setup-system.sh

lint: $(STAMP)
	$(BIN)/ruff check journey tests bench

test: lint
	$(BIN)/python -m pytest --nbval-lax --doctest-modules journey tests notebooks

report: $(STAMP)
	$(BIN)/journey report data/sample/visits.csv --surveys data/sample/surveys.csv \
		--survey-touchpoints data/sample/survey_touchpoints.csv \
		--complaints data/sample/complaints.csv --followups data/sample/followup_calls.csv \
		--study data/sample/study.toml \
		--out reports/sample

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks

sample: $(STAMP)
	$(BIN)/python -m journey.simulate --out data/sample

bench: $(STAMP)
	$(BIN)/python bench/run.py

lock:
	$(PYTHON) -m pip install --quiet uv
	$(PYTHON) -m uv pip compile pyproject.toml --extra dev --python-version 3.11 \
		--extra spark --extra lab --no-header --no-annotate -o requirements.lock

clean:
	rm -rf $(VENV) reports .pytest_cache .ruff_cache .hypothesis

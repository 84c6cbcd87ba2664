# The commands the README names. Each target sets up what it needs first.
#   make lab    create .venv, install the course, open JupyterLab on lectures/
#   make test   create .venv, install the course and its test tools, run every test
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
EXTRAS ?= test
comma := ,
STAMP := $(VENV)/.installed-$(subst $(comma),-,$(EXTRAS))

.PHONY: setup lab test test-fast lectures check-lectures benchmarks gpu-check clean site

setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 10), "Python 3.10 or newer is needed, found " + sys.version.split()[0]'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[$(EXTRAS)]"
	touch $@

# LAB_ARGS passes options to JupyterLab (e.g. LAB_ARGS="--no-browser --port 8890"). Root (as in
# many containers) needs --allow-root, or JupyterLab refuses to start.
LAB_ARGS ?=
lab: setup
	$(VENV)/bin/jupyter lab $$([ "$$(id -u)" = 0 ] && echo --allow-root) $(LAB_ARGS) lectures/

# Every test: unit tests, notebook validation (nbval), build check, grading round trip, browser test
# (skipped with a message when no Chromium is installed).
# The cluster extra (Dask) is installed too, so the cluster grading tests run rather than skip.
TEST_EXTRAS := $(if $(findstring cluster,$(EXTRAS)),$(EXTRAS),$(EXTRAS)$(comma)cluster)
test:
	$(MAKE) setup EXTRAS=$(TEST_EXTRAS)
	$(PY) -m pytest

# Unit tests only, without executing notebooks or a browser: the quick loop while developing.
test-fast: setup
	$(PY) -m pytest -m "not notebooks and not browser"

lectures: setup
	$(PY) -m coursekit build

check-lectures: setup
	$(PY) -m coursekit build --check

# Speed against scikit-learn and PyTorch, by hand. The PyTorch columns need torch in .venv
# (`.venv/bin/pip install torch`; not installed here because its default build is several GB).
benchmarks: setup
	for b in benchmarks/bench_*.py; do $(PY) $$b || exit 1; done

# On a machine with an NVIDIA GPU and a CUDA build of torch or CuPy in .venv: the GPU tests
# (PyTorch and CuPy arrays) and the GPU benchmark. Skips, and says so, without a GPU.
gpu-check: setup
	PY=$(PY) bash benchmarks/gpu_check.sh

# The course website, both editions, into build/site/ (README.md, "The course website").
# Installs the site extra into .venv on top of EXTRAS. Builds offline and executes nothing: the
# pages show the masters' stored outputs. SITE_ARGS passes options (e.g. SITE_ARGS="--hub URL").
SITE_EXTRAS := $(if $(findstring site,$(EXTRAS)),$(EXTRAS),$(EXTRAS)$(comma)site)
SITE_ARGS ?=
site:
	$(MAKE) setup EXTRAS=$(SITE_EXTRAS)
	$(PY) -m coursekit site $(SITE_ARGS)

clean:
	rm -rf $(VENV) test-output

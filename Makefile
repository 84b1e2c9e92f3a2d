# 校安档案 (xiaoan): common tasks. Everything runs from the project virtualenv in .venv,
# which the first target that needs it creates (and refreshes when pyproject.toml changes).
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-builtin-rules

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.PHONY: help .venv npm serve test test-fast test-thorough build lint clean editor lock upgrade newest release

help:
	@echo "make serve   构建并在 http://127.0.0.1:8000 预览示例档案网站"
	@echo "make test    运行全部测试"
	@echo "make test-fast 运行不含浏览器和完整构建的快速测试(约一分钟)"
	@echo "make build   生成静态网站到 site/"
	@echo "make lint    运行 pre-commit 检查(全部文件)"
	@echo "make editor  本机试用网页编辑器:http://localhost:8000/admin/(保存到本仓库的 cms/ 分支)"
	@echo "make clean   删除构建产物(保留 .venv)"
	@echo "make lock    按 pyproject.toml 的版本范围更新 requirements.lock(保留仍合适的版本)"
	@echo "make upgrade 把 requirements.lock 中的每个包升级到版本范围允许的最新版本"
	@echo "make newest  用各依赖的最新版本运行全部测试(不改动锁定文件)"
	@echo "make release 为 pyproject.toml 中的版本打标签(需工作区干净、CHANGELOG 有该版本)"

# `make .venv` creates the virtualenv from the lock file: every package at the version and
# hash requirements.lock pins (pip --require-hashes), then the project itself, editable,
# with no dependency resolution of its own. When the lock or pyproject.toml changes, the
# virtualenv is made again from nothing, so `pip freeze` in it always equals the lock.
.venv: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
	touch $@

# `make lock` resolves requirements.lock from pyproject.toml's ranges, keeping every pin that
# still fits: run it after adding or changing a dependency in pyproject.toml. `make upgrade`
# takes the newest releases the ranges allow for every package. Then run `make test` and
# commit both files. (`make newest` tries the newest releases without touching the lock.)
LOCK := $(BIN)/uv pip compile pyproject.toml --extra test --extra dev --generate-hashes \
  --python-version 3.11 --python-platform x86_64-manylinux_2_28 --no-header \
  --output-file requirements.lock

lock: .venv
	$(LOCK)

upgrade: .venv
	$(LOCK) --upgrade

# `make npm` installs the web editor's npm packages (Decap CMS, decap-server, ajv …) exactly as
# package-lock.json pins them, again only when package.json or the lock file changed.
# Without npm the site still builds; its /admin/ page then says the editor is not installed.
npm: $(NODE_STAMP)

$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else \
	  echo "警告:没有 npm(需要 Node.js 20),跳过网页编辑器的安装" >&2; \
	fi

serve: .venv npm
	$(BIN)/xiaoan validate
	$(BIN)/xiaoan serve

# `make test`: everything, one test at a time. `make test-thorough` also draws ten times as
# many property-test examples (about 7 minutes more).
test: .venv npm
	$(BIN)/python -m pytest

test-thorough: .venv npm
	XIAOAN_THOROUGH=1 $(BIN)/python -m pytest

# `make test-fast`: everything but the tests marked slow (browsers, whole-site builds,
# installs), for quick feedback while working; `make test` runs them all.
test-fast: .venv
	$(BIN)/python -m pytest -m "not slow" -n auto

build: .venv npm
	$(BIN)/xiaoan build

# `make editor`: the web editor on this computer. decap-server (git mode, port 8081) saves
# each edit as a commit on a local branch cms/<区县>/<学校编号> of this repository, which is
# what a pull request would hold; the site is served on port 8000. Ctrl-C stops both.
# decap-server checks branches out in this working tree and commits with `git add .`, so
# it must be clean: uncommitted changes would make saving fail, untracked files would be
# swept into the cms/ branch.
EDITOR_PORT ?= 8000
editor: .venv npm
	@test -x node_modules/.bin/decap-server || { echo "错误:网页编辑器未安装,请先安装 Node.js 20 和 npm" >&2; exit 1; }
	@if [[ -n "$$(git status --porcelain)" ]]; then \
	  echo "错误:工作区有未提交的修改或未跟踪的文件(见 git status)。" >&2; \
	  echo "decap-server 会在本仓库中切换分支并用 git add . 提交,请先提交或移走这些修改再运行 make editor。" >&2; \
	  exit 1; \
	fi
	$(BIN)/xiaoan build
	$(BIN)/xiaoan editor-config --backend local --site site
	@echo "网页编辑器:http://localhost:$(EDITOR_PORT)/admin/ (按 Ctrl-C 停止)"
	@MODE=git BIND_HOST=127.0.0.1 node_modules/.bin/decap-server & server=$$!; \
	trap 'kill $$server 2>/dev/null; wait $$server 2>/dev/null' EXIT; \
	trap 'exit 0' INT TERM; \
	$(BIN)/python -m http.server $(EDITOR_PORT) --bind 127.0.0.1 --directory site

# `make newest`: the whole suite on the newest releases pyproject.toml allows, in a throwaway
# virtualenv (the lock and .venv are not touched); on failure, names the package that broke
# it in $(NEWEST_REPORT) and exits 1. The `newest` workflow runs it every night.
NEWEST_REPORT ?= build/newest.md
newest: .venv
	$(BIN)/python -m generator.devtools.newest --report $(NEWEST_REPORT)

# `make release`: tag the version in pyproject.toml (annotated tag v<version>) once the tree
# is clean, CHANGELOG.md has a section for it and README's pre-commit snippet names it.
# Push the tag yourself: git push origin v<version>.
release:
	@version=$$($(PYTHON) -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])'); \
	tag="v$$version"; \
	if [[ -n "$$(git status --porcelain)" ]]; then echo "错误:工作区有未提交的修改,请先提交" >&2; exit 1; fi; \
	if ! grep -Eq "^## \[$$version\] - [0-9]{4}-[0-9]{2}-[0-9]{2}$$" CHANGELOG.md; then \
	  echo "错误:CHANGELOG.md 中没有 '## [$$version] - 日期' 一节" >&2; exit 1; fi; \
	if ! grep -q "rev: $$tag\$$" README.md; then \
	  echo "错误:README.md 的 pre-commit 示例不是 rev: $$tag" >&2; exit 1; fi; \
	if git rev-parse -q --verify "refs/tags/$$tag" >/dev/null; then echo "错误:标签 $$tag 已存在" >&2; exit 1; fi; \
	git tag -a "$$tag" -m "xiaoan $$version"; \
	echo "已创建标签 $$tag。发布:git push origin $$tag"

lint: .venv
	$(BIN)/pre-commit run --all-files

clean:
	rm -rf site/ .pytest_cache/ .ruff_cache/ build/ dist/ ./*.egg-info/ benchmarks/out/
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -exec rm -rf {} +

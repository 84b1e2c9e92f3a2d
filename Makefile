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

.PHONY: help .venv serve test build lint clean

help:
	@echo "make serve   构建并在 http://127.0.0.1:8000 预览示例档案网站"
	@echo "make test    运行全部测试"
	@echo "make build   生成静态网站到 site/"
	@echo "make lint    运行 pre-commit 检查(全部文件)"
	@echo "make clean   删除构建产物(保留 .venv)"

# `make .venv` creates the virtualenv and installs the project with its test extra.
.venv: $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

serve: .venv
	$(BIN)/xiaoan validate
	$(BIN)/xiaoan serve

test: .venv
	$(BIN)/python -m pytest

build: .venv
	$(BIN)/xiaoan build

lint: .venv
	$(BIN)/pre-commit run --all-files

clean:
	rm -rf site/ .pytest_cache/ .ruff_cache/ build/ dist/ ./*.egg-info/ benchmarks/out/
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -exec rm -rf {} +

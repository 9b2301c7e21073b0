# The commands a user types. Everything else is a pnpm script; see README.md.
SHELL := /bin/bash
PNPM_VERSION := $(shell node -p "require('./package.json').packageManager.split('@')[1]")
STACK := pnpm --silent stack

.PHONY: help install build up down status logs clean seed demo test lint typecheck unit integration stack-test openapi

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

install: ## install pnpm (pinned) and the workspace's packages, then build
	@command -v pnpm >/dev/null && [ "$$(pnpm -v)" = "$(PNPM_VERSION)" ] || npm install -g --silent pnpm@$(PNPM_VERSION)
	@[ -f .env ] || cp .env.example .env
	pnpm install --frozen-lockfile
	pnpm build

up: install ## start the whole stack (Docker Compose if an engine answers, else native) and wait until ready
	$(STACK) up

down: ## stop everything the stack started, keeping data
	$(STACK) down

status: ## every component with address, state and memory
	$(STACK) status

logs: ## tail one component's log: make logs C=postgres
	$(STACK) logs $(C)

clean: ## stop and wipe the stack's data (downloads stay cached)
	$(STACK) clean

seed: ## load development data across three regions (idempotent)
	pnpm seed

demo: up seed ## install, start, seed, and print the URLs to open
	@pnpm --silent tsx scripts/stack/urls.ts

lint: ## biome over the whole tree
	pnpm lint

typecheck: ## tsc --noEmit in every package
	pnpm typecheck

unit: ## unit tests (no servers)
	pnpm test

integration: ## integration tests against the running stack
	pnpm test:integration

stack-test: ## the stack's own tests: every component over its real protocol
	pnpm test:stack

openapi: ## write docs/api/<service>.yaml for every service
	pnpm openapi

test: install ## everything CI runs: lint, typecheck, unit, stack up, stack and integration tests, OpenAPI export
	bash scripts/ci/test.sh

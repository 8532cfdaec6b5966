#!/usr/bin/env bash
# Kafka intake: the norm suite's Kafka scenario alone (an engine with its embedded KRaft broker on a
# fresh store; 40 000 messages at 2 000/s, whose production-to-delivery lag is kept in
# kafka-opwarmen.json, then 200 000 produced at once: kafka.json), results in loadtest/results/suite/.
exec "$(cd "$(dirname "$0")" && pwd)/run-suite.sh" Kafka "$@"

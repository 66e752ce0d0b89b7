"""Chinese government information disclosure annual reports → validated tables."""

# Bumping this invalidates every cached parse (build reuses a report's rows only when both the
# file's sha256 and this version are unchanged).
PIPELINE_VERSION = "0.1.0"

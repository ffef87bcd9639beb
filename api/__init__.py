"""The storefront REST API (contract: ../shared/API_CONTRACT.md). Thin: views parse with
a serializer, call one service or selector of the domain apps, and render."""

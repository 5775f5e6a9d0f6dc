"""Deployment: the `make demo` launcher, container images, Compose and Kubernetes manifests."""

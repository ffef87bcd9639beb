"""The stored item-to-item model, one version (Build) at a time active.

A build's rows (counts, neighbours, contributors) are written under its id before the
build is flipped active in one transaction, so readers never see half a model. The
counts are kept so that one customer's contribution can be subtracted when they are
forgotten; the contributor rows say which customers are in which build, and with which
products and weight, so that forgetting is exact and happens once.
"""

import uuid

from django.db import models

from customers.models import Customer, Product


class Build(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=False)
    params = models.JSONField(default=dict)
    customers = models.PositiveIntegerField(default=0)
    products = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0.0)
    # New with every change to the build's rows (recommendations.memory): serving
    # processes compare it on each request and load the build again when it moved.
    revision = models.UUIDField(default=uuid.uuid4, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=models.Q(is_active=True),
                name="recommendations_one_active_build",
            )
        ]

    def __str__(self) -> str:
        return f"build {self.pk}{' (active)' if self.is_active else ''}"


class BuildRun(models.Model):
    """One run of the scheduled build job, so that a run cut short (a killed worker, a
    lost database) is started again within minutes instead of at the next schedule. The
    running job renews its lease as it reports progress; the minute's sweep starts a new
    run for a run whose lease lapsed before it finished."""

    started_at = models.DateTimeField(auto_now_add=True)
    lease_expires_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, blank=True, help_text="built, failed, interrupted")
    build = models.ForeignKey(Build, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"build run {self.pk} ({self.outcome or 'running'})"


class ItemCounts(models.Model):
    """One row of the co-purchase count matrix: how many (weighted) customers bought
    this product, and with it each partner product (parallel int64 / float64 arrays),
    and how many distinct customers bought each pair (int32, for the minimum support)."""

    build = models.ForeignKey(Build, on_delete=models.CASCADE, related_name="item_counts")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    customers = models.PositiveIntegerField(help_text="Contributing customers who bought it.")
    bought = models.FloatField(help_text="Weighted count: the diagonal of the matrix.")
    partners = models.BinaryField()
    counts = models.BinaryField()
    supports = models.BinaryField(default=b"")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["build", "product"], name="itemcounts_unique")
        ]
        # Popular items: walked in order (customers, then product id) with no sort.
        indexes = [models.Index(fields=["build", "-customers", "product"])]

    def __str__(self) -> str:
        return f"counts of {self.product_id} in build {self.build_id}"


class Neighbour(models.Model):
    build = models.ForeignKey(Build, on_delete=models.CASCADE, related_name="neighbours")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    neighbour = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    rank = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["build", "product", "neighbour"], name="neighbour_unique"
            )
        ]
        indexes = [models.Index(fields=["build", "product", "rank"])]

    def __str__(self) -> str:
        return f"{self.product_id} -> {self.neighbour_id} ({self.score:.3f})"


class Contributor(models.Model):
    """A customer whose purchases are in a build. Derived data: the forget handler
    subtracts and deletes it (erasure runs that handler), so it is not exported."""

    build = models.ForeignKey(Build, on_delete=models.CASCADE, related_name="contributors")
    customer_id = models.UUIDField()
    products = models.JSONField(help_text="Product ids counted for this customer.")
    weight = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["build", "customer_id"], name="contributor_unique")
        ]
        indexes = [models.Index(fields=["customer_id"])]

    def __str__(self) -> str:
        return f"contributor to build {self.build_id}"


class PendingForget(models.Model):
    """A contribution whose weighted counts still wait for the next batch
    (recommendations.batches): the erasure that made it deleted the contributor row (the
    only row naming the customer) and took its pair supports and customer counts out at
    once; the batch subtracts the counts and recomputes the neighbours for all pending
    contributions of a build together. Names no customer."""

    build = models.ForeignKey(Build, on_delete=models.CASCADE, related_name="pending_forgets")
    products = models.JSONField(help_text="Product ids counted for the contribution.")
    weight = models.FloatField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"pending forget in build {self.build_id}"


class ShownRecommendation(models.Model):
    """What a customer was shown (skus only): personal data, exported and erased."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    skus = models.JSONField()
    personalized = models.BooleanField()
    shown_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-shown_at", "-id"]

    def __str__(self) -> str:
        return f"recommendations shown {self.pk}"

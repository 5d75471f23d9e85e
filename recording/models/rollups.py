"""Rollups: sums of the daily counts per regency, province, device or area and day or month,
kept exact by every write (recording/services/rollups.py), so dashboards add a few rows instead
of millions of counts."""

from django.db import models

from recording.models.devices import RecordingDevice


class RollupTotal(models.Model):
    """The figures every rollup holds: residents recorded and daily counts added up."""

    recorded = models.BigIntegerField(default=0)
    reports = models.IntegerField(default=0, help_text="Number of daily counts added up.")

    class Meta:
        abstract = True


class RegencyDailyTotal(RollupTotal):
    """Sum of one regency's daily counts on one day.

    The dashboards of the nation and of a province read these instead of millions of counts.
    """

    regency = models.ForeignKey(
        "districts.Regency", on_delete=models.CASCADE, related_name="+", db_constraint=True
    )
    date = models.DateField()

    class Meta:
        ordering = ["regency", "date"]
        constraints = [
            models.UniqueConstraint(fields=["regency", "date"], name="regency_total_one_per_day")
        ]

    def __str__(self):
        return f"{self.regency_id} {self.date:%Y-%m-%d}: {self.recorded}"


class ProvinceDailyTotal(RollupTotal):
    """Sum of one province's daily counts on one day."""

    province = models.ForeignKey("districts.Province", on_delete=models.CASCADE, related_name="+")
    date = models.DateField()

    class Meta:
        ordering = ["province", "date"]
        constraints = [
            models.UniqueConstraint(fields=["province", "date"], name="province_total_one_per_day")
        ]

    def __str__(self):
        return f"{self.province_id} {self.date:%Y-%m-%d}: {self.recorded}"


class DeviceMonthlyTotal(RollupTotal):
    """Sum of one device's daily counts in one calendar month.

    A regency or kecamatan dashboard adds whole months from here and only reads the raw counts
    of the month it is looking at, so its cost does not grow with the years of data.
    """

    device = models.ForeignKey(RecordingDevice, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="First day of the month.")

    class Meta:
        ordering = ["device", "month"]
        constraints = [
            models.UniqueConstraint(fields=["device", "month"], name="device_total_one_per_month")
        ]

    def __str__(self):
        return f"{self.device_id} {self.month:%Y-%m}: {self.recorded}"


class AreaMonthlyTotal(RollupTotal):
    """Sum of a province's (`16`) or a regency's (`16.08`) counts in one month.

    National and province dashboards add whole months from here and read the daily totals only
    for the month they look at.
    """

    area = models.CharField(max_length=5)
    month = models.DateField(help_text="First day of the month.")

    class Meta:
        ordering = ["area", "month"]
        constraints = [
            models.UniqueConstraint(fields=["area", "month"], name="area_total_one_per_month")
        ]

    def __str__(self):
        return f"{self.area} {self.month:%Y-%m}: {self.recorded}"

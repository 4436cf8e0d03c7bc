"""The alternative a user would pick: the same rules as a plain PySpark DataFrame job.

Local mode, all cores. It reads the three event folders recursively with an all-string schema (so
numbers sent as strings and bad values behave as in the dbt project), applies rules 1-7 and writes
``<out>/user_reel_interest`` as Parquet. The benchmark checks its output equals the dbt project's.

    .venv/bin/python benchmarks/pyspark_job.py --raw RAW --out OUT [--tmp DIR]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.types import StringType, StructField, StructType

COMMON = [
    "event_name", "timestamp", "server_timestamp", "user_uid", "streamer_uid", "reel_uid",
    "category_uid", "origin_platform", "app_version", "reel_duration",
]  # fmt: skip
EXTRA = {
    "reel_watched": ["reel_watch_duration", "replay_count"],
    "reel_liked": ["like_time"],
    "reel_unliked": ["unlike_time"],
}
DURATION = "decimal(18,6)"


def spark_session(tmp: Path) -> SparkSession:
    return (
        SparkSession.builder.master("local[*]")
        .appName("loco-clips-pyspark-baseline")
        .config("spark.driver.memory", "8g")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.local.dir", str(tmp / "spark-local"))
        .config("spark.sql.warehouse.dir", str(tmp / "spark-warehouse"))
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )


def read_events(spark: SparkSession, raw: Path, event_type: str) -> DataFrame:
    fields = COMMON + EXTRA[event_type]
    schema = StructType([StructField(name, StringType()) for name in fields])
    return (
        spark.read.schema(schema)
        .option("recursiveFileLookup", "true")
        .option("pathGlobFilter", "*.json*")
        .json(str(raw / event_type))
        .dropDuplicates(fields)  # rule 5: exact duplicates count once
    )


def missing(column: str) -> Column:
    return F.col(column).isNull() | (F.trim(F.col(column)) == "")


def try_cast(sql: str, data_type: str) -> Column:
    """try_cast(<sql> as <data_type>): SQL text, as pyspark 3.5 has no Column.try_cast (4.0+)."""
    return F.expr(f"try_cast({sql} as {data_type})")


def integer_sql(column: str) -> str:
    """The column's text as a bigint when it is digits (SQL text; column is one of ours)."""
    text = f"trim(`{column}`)"
    return f"case when {text} rlike '^-?[0-9]+$' then try_cast({text} as bigint) end"


def integer(column: str) -> Column:
    return F.expr(integer_sql(column))


def version_key(column: str) -> Column:
    """Zero-padded parts, trailing zero parts dropped: string order is numeric order."""
    parts = F.split(F.regexp_replace(F.col(column), "^v", ""), "[.]")
    padded = F.transform(parts, lambda p: F.lpad(F.regexp_replace(p, "^0+", ""), 20, "0"))
    key = F.regexp_replace(F.array_join(padded, "."), "([.]0{20})+$", "")
    return F.when(F.col(column).rlike("^v?[0-9]+([.][0-9]+)*$"), key)


def valid_watch_seconds(watched: DataFrame) -> DataFrame:
    """Rules 1 and 2: keep valid watch events, with their normalized duration."""
    platform = F.lower(F.trim(F.col("origin_platform")))
    duration = try_cast("reel_duration", DURATION)
    watch = try_cast("reel_watch_duration", DURATION)
    replays = try_cast(integer_sql("replay_count"), "int")
    key = version_key("app_version")
    old_android = (platform == "android") & (key < F.lit("2".zfill(20) + "." + "3".zfill(20)))
    valid = (
        ~missing("user_uid")
        & ~missing("reel_uid")
        & platform.isin("android", "ios")
        & ((platform == "ios") | key.isNotNull())
        & (duration > 0)
        & (watch >= 0)
        & (F.col("replay_count").isNull() | (replays >= 0))
        & (~old_android | F.col("replay_count").isNotNull())
    )
    seconds = F.when(old_android, duration * replays + watch).otherwise(watch)
    return watched.where(F.coalesce(valid, F.lit(False))).select(
        "user_uid", "reel_uid", seconds.alias("seconds"), duration.alias("duration")
    )


def latest_actions(liked: DataFrame, unliked: DataFrame) -> DataFrame:
    """Rules 3 and 4: the last valid like or unlike of each pair."""
    actions = liked.withColumn("is_unlike", F.lit(False)).unionByName(
        unliked.withColumn("is_unlike", F.lit(True)), allowMissingColumns=True
    )
    actions = actions.where(
        ~missing("user_uid") & ~missing("reel_uid") & integer("timestamp").isNotNull()
    )
    order = Window.partitionBy("user_uid", "reel_uid").orderBy(
        integer("timestamp").desc(),
        integer("server_timestamp").desc_nulls_last(),
        F.col("is_unlike").desc(),
    )
    return (
        actions.withColumn("rank", F.row_number().over(order))
        .where(F.col("rank") == 1)
        .select("user_uid", "reel_uid", "is_unlike")
    )


def user_reel_interest(spark: SparkSession, raw: Path) -> DataFrame:
    watch = (
        valid_watch_seconds(read_events(spark, raw, "reel_watched"))
        .groupBy("user_uid", "reel_uid")
        .agg(F.sum("seconds").alias("watched"), F.max("duration").alias("duration"))
    )
    actions = latest_actions(
        read_events(spark, raw, "reel_liked"), read_events(spark, raw, "reel_unliked")
    )
    pairs = watch.join(actions, ["user_uid", "reel_uid"], "full_outer")
    liked = F.coalesce(~F.col("is_unlike"), F.lit(False))
    unliked = F.coalesce(F.col("is_unlike"), F.lit(False))
    # Rule 6: exact decimal division, rounded half up to 9 places. Spark trims a decimal
    # quotient to 6 places once its precision passes 38, so the sum is narrowed first:
    # decimal(20,6) / decimal(18,6) keeps 18 places.
    quotient = F.col("watched").cast("decimal(20,6)") / F.col("duration")
    ratio = F.round(quotient, 9).cast("decimal(38,9)")
    interested = ~unliked & (
        liked | F.coalesce(F.col("watched") > F.col("duration") * 0.6, F.lit(False))
    )
    return pairs.select(
        "user_uid",
        "reel_uid",
        liked.alias("liked"),
        unliked.alias("unliked"),
        ratio.alias("watched_ratio"),
        interested.alias("is_interested"),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, required=True, help="raw events root")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--tmp", type=Path, default=Path("target/pyspark"), help="Spark scratch")
    args = parser.parse_args()
    started = time.perf_counter()
    spark = spark_session(args.tmp.resolve())
    user_reel_interest(spark, args.raw).write.mode("overwrite").parquet(
        str(args.out / "user_reel_interest")
    )
    spark.stop()
    print(f"pyspark job: {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()

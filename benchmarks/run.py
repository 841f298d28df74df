"""Measure the course side by side with the original script, on this machine.

Usage, from the repository root with the course's virtual environment
active (``source .venv/bin/activate``)::

    python benchmarks/run.py                      # every section, about 7 minutes
    python benchmarks/run.py --only loading,training
    python benchmarks/run.py --quick              # a 3-minute check of the script itself

It prints a markdown table and writes it, with a description of the
machine, to benchmarks/RESULTS.md (``--quick`` only prints). Every
TensorFlow measurement runs in a fresh Python process, and everything the
course writes goes to a temporary folder, so the learner's ``outputs/``
(trained models, data set cache) is neither used nor changed.
benchmarks/README.md explains each number.
"""

import argparse
import csv
import datetime
import json
import os
import shlex
import sys
import tempfile
import time
from pathlib import Path

import machine
import notebook_times
import recipes
from common import (
    BENCHMARKS_DIR,
    PROJECT_ROOT,
    WorkerError,
    first_index_at_least,
    format_ratio,
    format_seconds,
    markdown_table,
    median,
    run_worker,
)

SECTIONS = ("loading", "training", "quality", "notebooks")
DEFAULT_OUTPUT = BENCHMARKS_DIR / "RESULTS.md"
PRETRAINED_DIR = PROJECT_ROOT / "data" / "pretrained"

# The option recipes that the time-to-quality section runs by default. The
# mixed precision one runs only where the hardware computes in 16 bits.
DEFAULT_RECIPES = ("lr1e-2-cosine60", "lr1e-2-cosine60-mixed")
SPEED_VARIANT_DESCRIPTIONS = {
    "original": "original fit() on a NumPy array",
    "course": "train()",
    "course-xla": "train(jit_compile=True)",
    "course-mixed": "train() with mixed precision",
}


# Command line


def parse_arguments(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
    )
    parser.add_argument(
        "--only", default=",".join(SECTIONS),
        help="comma-separated sections to run, from: " + ", ".join(SECTIONS) + " (default: all)",
    )
    parser.add_argument(
        "--quick", action="store_true",
        help="tiny settings (2 epochs, 1 repeat, the first notebook only) to try the "
        "script; prints the table but writes no file unless --output is given",
    )
    parser.add_argument(
        "--output", default=None,
        help=f"markdown file to write, or '-' to only print (default: {DEFAULT_OUTPUT.relative_to(PROJECT_ROOT)})",
    )
    loading = parser.add_argument_group("loading")
    loading.add_argument("--load-repeats", type=int, default=5, help="timed runs of each way of loading (default: %(default)s)")
    training = parser.add_argument_group("training speed")
    training.add_argument(
        "--speed-epochs", type=int, default=4,
        help="epochs per training run: the first is the cold one, the others are warm "
        "(default: %(default)s)",
    )
    training.add_argument("--speed-repeats", type=int, default=2, help="runs of each variant, interleaved (default: %(default)s)")
    training.add_argument(
        "--speed-variants", default=None,
        help="comma-separated variants, from: " + ", ".join(SPEED_VARIANT_DESCRIPTIONS)
        + " (default: original, course, and course-mixed where the hardware "
        "computes in 16 bits: a GPU, or a CPU with bfloat16 support)",
    )
    quality = parser.add_argument_group("time to quality")
    quality.add_argument(
        "--retrain-reference", action="store_true",
        help="train the original recipe again in this run (about 9 minutes on 2 quiet CPU cores) "
        "instead of reading the shipped log in data/pretrained/",
    )
    quality.add_argument(
        "--reference-epochs", type=int, default=200,
        help="epochs of the retrained reference (default: %(default)s, as the original recipe)",
    )
    quality.add_argument(
        "--recipes", default=None,
        help="comma-separated option recipes to time, from: " + ", ".join(recipes.RECIPES)
        + " (default: " + ", ".join(DEFAULT_RECIPES) + "; the mixed precision one only "
        "where the hardware computes in 16 bits)",
    )
    quality.add_argument("--max-epochs", type=int, default=100, help="epochs at most for each option recipe (default: %(default)s)")
    notebooks = parser.add_argument_group("notebooks")
    notebooks.add_argument(
        "--notebooks-full", action="store_true",
        help="also execute every notebook in full mode (200-epoch training, 20 minutes or more)",
    )
    notebooks.add_argument(
        "--notebooks-full-seconds", type=float, default=None,
        help="total seconds of a full-mode run measured earlier, to put in the table "
        "instead of running it",
    )
    arguments = parser.parse_args(argv)

    arguments.sections = [name.strip() for name in arguments.only.split(",") if name.strip()]
    unknown = sorted(set(arguments.sections) - set(SECTIONS))
    if unknown:
        parser.error(f"unknown section(s) {', '.join(unknown)} in --only; use {', '.join(SECTIONS)}.")
    if arguments.recipes is not None:
        arguments.recipes = [name.strip() for name in arguments.recipes.split(",") if name.strip()]
        unknown = sorted(set(arguments.recipes) - set(recipes.RECIPES))
        if unknown:
            parser.error(f"unknown recipe(s) {', '.join(unknown)}; use {', '.join(recipes.RECIPES)}.")
    if arguments.speed_variants is not None:
        arguments.speed_variants = [v.strip() for v in arguments.speed_variants.split(",") if v.strip()]
        unknown = sorted(set(arguments.speed_variants) - set(SPEED_VARIANT_DESCRIPTIONS))
        if unknown:
            parser.error(f"unknown variant(s) {', '.join(unknown)}; use {', '.join(SPEED_VARIANT_DESCRIPTIONS)}.")
    if arguments.speed_epochs < 2:
        parser.error("--speed-epochs must be at least 2, so that one warm epoch is measured.")

    if arguments.quick:
        arguments.load_repeats = 2
        arguments.speed_epochs = 2
        arguments.speed_repeats = 1
        arguments.max_epochs = 2
        arguments.reference_epochs = min(arguments.reference_epochs, 3)
    if arguments.output is None:
        arguments.output = "-" if arguments.quick else str(DEFAULT_OUTPUT)
    return arguments


# Loading


def measure_loading(arguments, work_dir):
    print("Loading: the original loop against load_dataset()", flush=True)
    result = run_worker(
        "loading.py", ["--repeats", arguments.load_repeats],
        env={"POKEMON_AE_OUTPUT_DIR": str(work_dir)}, timeout=1800,
    )
    medians = result["median_seconds"]
    count = result["num_images_course"]
    note = f"median of {arguments.load_repeats} runs"
    rows = [
        [f"Load the {count} bundled images, course cache empty",
         format_seconds(medians["original"]), format_seconds(medians["cold"]),
         format_ratio(medians["original"] / medians["cold"]),
         note + "; includes writing the cache"],
        [f"Load the {count} bundled images, cached",
         format_seconds(medians["original"]), format_seconds(medians["cached"]),
         format_ratio(medians["original"] / medians["cached"]),
         note + "; reads and hashes every file to check the cache"],
    ]
    return rows, result


# Training speed


def has_16_bit_hardware(machine_description):
    """Return True if mixed precision can be faster here: a GPU, or a CPU with bfloat16."""
    return machine_description["GPU"] != "none" or machine.has_bfloat16_cpu()


def default_speed_variants(machine_description):
    variants = ["original", "course"]
    if has_16_bit_hardware(machine_description):
        variants.append("course-mixed")
    return variants


def max_or_none(values):
    known = [value for value in values if value is not None]
    return max(known) if known else None


def summarise_speed_runs(runs):
    """Reduce the runs of one variant to medians: warm and first epoch, memory."""
    num_images = runs[0]["num_train_images"]
    warm = median([median(run["epoch_seconds"][1:]) for run in runs])
    summary = {
        "images_per_second": num_images / warm,
        "warm_epoch_seconds": warm,
        "first_epoch_seconds": median([run["epoch_seconds"][0] for run in runs]),
        "peak_memory_mib": max_or_none([run["peak_memory_mib"] for run in runs]),
        "policy": runs[0]["policy"],
        "final_loss": [run["final_loss"] for run in runs],
    }
    if runs[0]["epoch_seconds_before_checkpoints"] is not None:
        summary["checkpoint_seconds"] = median([
            median([
                full - before for full, before in
                zip(run["epoch_seconds"][1:], run["epoch_seconds_before_checkpoints"][1:])
            ])
            for run in runs
        ])
    return summary


def describe_speed_summary(summary):
    parts = [
        f"warm epoch {format_seconds(summary['warm_epoch_seconds'])}",
        f"first epoch {format_seconds(summary['first_epoch_seconds'])}",
    ]
    if "checkpoint_seconds" in summary:
        parts.append(f"logs and checkpoints {format_seconds(summary['checkpoint_seconds'])} an epoch")
    if summary["peak_memory_mib"] is not None:
        parts.append(f"peak memory {summary['peak_memory_mib']:.0f} MiB")
    return ", ".join(parts)


def measure_training_speed(arguments, work_dir, machine_description):
    variants = arguments.speed_variants or default_speed_variants(machine_description)
    print(f"Training speed: {', '.join(variants)}", flush=True)
    runs = {variant: [] for variant in variants}
    for repeat in range(arguments.speed_repeats):
        # Interleaved, so that a slow spell of a shared machine hits every
        # variant rather than one.
        for variant in variants:
            print(f"  {variant}, run {repeat + 1} of {arguments.speed_repeats}", flush=True)
            runs[variant].append(run_worker(
                "training_speed.py", [variant, "--epochs", arguments.speed_epochs],
                env={"POKEMON_AE_OUTPUT_DIR": str(work_dir)}, timeout=3600,
            ))
    summaries = {variant: summarise_speed_runs(variant_runs) for variant, variant_runs in runs.items()}

    baseline = summaries.get("original")
    rows = []
    for variant, summary in summaries.items():
        label = SPEED_VARIANT_DESCRIPTIONS[variant]
        if variant == "course-mixed":
            label += f" ({summary['policy'].removeprefix('mixed_')})"
        speedup = None
        if baseline is not None and variant != "original":
            speedup = summary["images_per_second"] / baseline["images_per_second"]
        rows.append([
            f"Training, warm epoch: {label}",
            f"{baseline['images_per_second']:.0f} images/s" if baseline else "-",
            f"{summary['images_per_second']:.0f} images/s" if variant != "original" else "-",
            format_ratio(speedup),
            describe_speed_summary(summary),
        ])
    return rows, {"runs": runs, "summaries": summaries}


# Time to quality


def read_shipped_reference():
    """Return the shipped 200-epoch log as a time-to-quality result, or None if absent."""
    log_path = PRETRAINED_DIR / "training_log.csv"
    if not log_path.is_file():
        return None
    with open(log_path, newline="") as file:
        rows = list(csv.DictReader(file))
    metrics_path = PRETRAINED_DIR / "metrics.json"
    metrics = json.loads(metrics_path.read_text()) if metrics_path.is_file() else {}
    return {
        "recipe": "default",
        "source": f"shipped log {log_path.relative_to(PROJECT_ROOT)}",
        "epochs_trained": len(rows),
        "val_psnr": [float(row["val_psnr"]) for row in rows],
        "elapsed_seconds": [float(row["elapsed_seconds"]) for row in rows],
        "metrics": metrics,
    }


def default_recipes(machine_description):
    return [
        name for name in DEFAULT_RECIPES
        if has_16_bit_hardware(machine_description)
        or not recipes.recipe_settings(name)["mixed_precision"]
    ]


def measure_time_to_quality(arguments, work_dir, machine_description):
    environment = {"POKEMON_AE_OUTPUT_DIR": str(work_dir)}
    if arguments.retrain_reference:
        print(f"Time to quality: training the original recipe for {arguments.reference_epochs} epochs", flush=True)
        reference = run_worker(
            "time_to_quality.py", ["default", "--max-epochs", arguments.reference_epochs],
            env=environment, timeout=4 * 3600,
        )
        reference["source"] = "trained in this run"
    else:
        reference = read_shipped_reference()
        if reference is None:
            message = (
                f"not measured: {PRETRAINED_DIR.relative_to(PROJECT_ROOT)}/training_log.csv "
                "is missing; use --retrain-reference"
            )
            return [["Time to reach the original's validation PSNR", message, "", "", ""]], {}

    # The quality to reach: the validation PSNR after the last epoch of the
    # original recipe, the model a learner gets from it.
    target = reference["val_psnr"][-1]
    reference_index = first_index_at_least(reference["val_psnr"], target)
    reference_seconds = reference["elapsed_seconds"][reference_index]
    print(f"  target: {target:.2f} dB, reached by the original recipe after "
          f"{reference_index + 1} epochs, {reference_seconds:.0f} s", flush=True)

    options = {}
    for recipe in arguments.recipes or default_recipes(machine_description):
        print(f"  {recipe}: until {target:.2f} dB or {arguments.max_epochs} epochs", flush=True)
        options[recipe] = run_worker(
            "time_to_quality.py",
            [recipe, "--target", f"{target:.6f}", "--max-epochs", arguments.max_epochs],
            env=environment, timeout=4 * 3600,
        )

    reference_cell = (
        f"{format_seconds(reference_seconds)} ({reference_index + 1} of "
        f"{reference['epochs_trained']} epochs)"
    )
    # The PSNR of single epochs is noisy. The mean of the last ten shows
    # whether the final epoch, which sets the target, is a high or a low one.
    last_epochs_mean = sum(reference["val_psnr"][-10:]) / len(reference["val_psnr"][-10:])
    rows = []
    for recipe, result in options.items():
        note = (
            f"reference: {reference['source']}, whose last 10 epochs average "
            f"{last_epochs_mean:.2f} dB"
        )
        if result["seconds_to_target"] is None:
            option_cell = f"not reached in {result['epochs_trained']} epochs"
            speedup = None
        else:
            option_cell = f"{format_seconds(result['seconds_to_target'])} ({result['reached_epoch']} epochs)"
            speedup = reference_seconds / result["seconds_to_target"]
            # The ratio of epochs does not depend on the machine's load, which
            # may differ between the shipped log and this run.
            epoch_ratio = (reference_index + 1) / result["reached_epoch"]
            note += f"; {epoch_ratio:.1f}x fewer epochs"
        rows.append([
            f"Time to reach {target:.2f} dB validation PSNR: {recipes.describe_recipe(recipe)}",
            reference_cell, option_cell, format_ratio(speedup), note,
        ])
    details = {
        "target_psnr": target,
        "reference_last_10_epochs_mean_psnr": last_epochs_mean,
        "reference": reference,
        "options": options,
    }
    return rows, details


# Notebooks


def measure_notebooks(arguments):
    rows = []
    details = {}
    notebooks = notebook_times.course_notebooks()
    if arguments.quick:
        notebooks = notebooks[:1]
    print("Notebooks, fast mode (POKEMON_AE_FAST=1)", flush=True)
    fast = notebook_times.time_notebooks(fast=True, notebooks=notebooks)
    details["fast"] = fast
    label = "all notebooks" if not arguments.quick else f"{len(notebooks)} notebook (--quick)"
    rows.append([
        f"Execute {label}, fast mode", "-", format_seconds(sum(fast.values())), "-",
        "; ".join(f"{name.split('_')[0]}: {format_seconds(seconds)}" for name, seconds in fast.items()),
    ])

    if arguments.notebooks_full:
        print("Notebooks, full mode", flush=True)
        full = notebook_times.time_notebooks(fast=False, notebooks=notebooks)
        details["full"] = full
        full_cell = format_seconds(sum(full.values()))
        full_note = "; ".join(f"{name.split('_')[0]}: {format_seconds(seconds)}" for name, seconds in full.items())
    elif arguments.notebooks_full_seconds is not None:
        full_cell = format_seconds(arguments.notebooks_full_seconds)
        full_note = "measured earlier, given with --notebooks-full-seconds"
    else:
        full_cell = "not measured"
        full_note = "run with --notebooks-full (20 minutes or more)"
    rows.append([f"Execute {label}, full mode", "-", full_cell, "-", full_note])
    return rows, details


# Report


def describe_run(arguments, argv):
    command = "python benchmarks/run.py" + "".join(" " + shlex.quote(arg) for arg in argv)
    return {
        "Command": f"`{command}`",
        "Date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
    }


def format_report(run_description, machine_description, table, load_before, load_after):
    lines = [
        "# Benchmark results",
        "",
        "The course side by side with the original script, measured in one run on one "
        "machine. `benchmarks/README.md` explains each row and how to run it again.",
        "",
        table,
        "",
        "## Run",
        "",
    ]
    lines += [f"- {key}: {value}" for key, value in run_description.items()]
    load_text = "unknown" if load_before is None else f"{load_before:.2f} at the start, {load_after:.2f} at the end"
    lines += [
        f"- 1-minute load average: {load_text} (near 0 means nothing else ran; "
        "above the number of cores means other programs shared the CPU and the "
        "times are inflated)",
        "",
        "## Machine",
        "",
    ]
    lines += [f"- {key}: {value}" for key, value in machine_description.items()]
    return "\n".join(lines) + "\n"


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    arguments = parse_arguments(argv)
    start = time.perf_counter()
    load_before = machine.load_average()
    machine_description = machine.describe_machine()
    print("Machine: " + ", ".join(f"{key} {value}" for key, value in machine_description.items()), flush=True)

    rows = []
    details = {}
    with tempfile.TemporaryDirectory(prefix="pokemon-ae-benchmark-") as work_dir:
        work_dir = Path(work_dir)
        if "loading" in arguments.sections:
            section_rows, details["loading"] = measure_loading(arguments, work_dir)
            rows += section_rows
        if "training" in arguments.sections:
            section_rows, details["training"] = measure_training_speed(
                arguments, work_dir, machine_description
            )
            rows += section_rows
        if "quality" in arguments.sections:
            section_rows, details["quality"] = measure_time_to_quality(
                arguments, work_dir, machine_description
            )
            rows += section_rows
        if "notebooks" in arguments.sections:
            section_rows, details["notebooks"] = measure_notebooks(arguments)
            rows += section_rows

    table = markdown_table(["Measurement", "Original", "Course", "Speed-up", "Notes"], rows)
    run_description = describe_run(arguments, argv)
    run_description["Duration of the run"] = format_seconds(time.perf_counter() - start)
    report = format_report(
        run_description, machine_description, table, load_before, machine.load_average(),
    )
    print()
    print(report)
    if arguments.output != "-":
        output = Path(arguments.output)
        output.write_text(report)
        raw_path = output.with_suffix(".json")
        raw_path.write_text(json.dumps(details, indent=1) + "\n")
        print(f"Wrote {output} and the raw numbers to {raw_path}.")


if __name__ == "__main__":
    try:
        main()
    except WorkerError as error:
        sys.exit(f"error: {error}")

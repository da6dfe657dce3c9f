"""What this machine can do for papergym and why: CPU, GPUs, llama.cpp offload, the training stack, the backend.

``gather_facts`` returns plain data (the CLI prints it or writes it as JSON,
the app's Models screen shows it); ``summary_lines`` words it once for both.
torch is imported only when installed, and Unsloth only when asked to say
which backend ``--backend auto`` would pick (importing it patches TRL).
"""

from __future__ import annotations

import importlib.util
import os
import platform
from importlib.metadata import PackageNotFoundError, requires, version
from pathlib import Path

from papergym.core.gpu import LLAMA_CUDA_REINSTALL, llama_supports_gpu_offload, no_gpu_reason, nvidia_gpu_visible
from papergym.core.gpu_lease import lease_dir, queue
from papergym.train.config import NO_GPU_BACKEND_REASON

PACKAGES = ("torch", "trl", "peft", "transformers", "datasets", "accelerate", "unsloth", "vllm", "llama_cpp_python")
# What unsloth 2026.10.9 requires of the rest of the stack; the `gpu` extra in pyproject.toml pins the same.
GPU_STACK_LIMITS = {"trl": "<=1.15.0", "transformers": "<=5.17.0", "datasets": "<5", "torch": "<2.15"}


def package_versions() -> dict[str, str | None]:
    """Installed version of each package the stack is made of (None when it is missing)."""
    versions: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = None
    return versions


def _local(text: str) -> str:
    return text.split("+", 1)[0]  # torch's "2.13.0+cpu" compares as 2.13.0


def stack_conflicts(versions: dict[str, str | None]) -> list[str]:
    """Each installed package that a GPU package's requirements rule out, as a sentence; empty when they fit.

    Read from Unsloth's and vLLM's own metadata where they are installed, plus
    the limits papergym tested Unsloth with.
    """
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.version import InvalidVersion, Version

    def check(owner: str, name: str, specifier) -> str | None:
        installed = versions.get(name)
        if installed is None:
            return None
        try:
            if specifier.contains(Version(_local(installed)), prereleases=True):
                return None
        except InvalidVersion:
            return None
        return f"{owner} needs {name}{specifier}, but {name} {installed} is installed"

    conflicts: list[str] = []
    if versions.get("unsloth"):
        from packaging.specifiers import SpecifierSet

        for name, limit in GPU_STACK_LIMITS.items():
            problem = check(f"unsloth {versions['unsloth']}", name, SpecifierSet(limit))
            if problem:
                conflicts.append(problem)
    for owner in ("unsloth", "vllm"):
        if not versions.get(owner):
            continue
        try:
            declared = requires(owner) or []
        except PackageNotFoundError:
            continue
        for text in declared:
            try:
                requirement = Requirement(text)
            except InvalidRequirement:
                continue
            if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
                continue
            name = requirement.name.lower().replace("_", "-")
            key = next((package for package in versions if package.replace("_", "-") == name), None)
            if key is None or not requirement.specifier:
                continue
            problem = check(f"{owner} {versions[owner]}", key, requirement.specifier)
            if problem and problem not in conflicts:
                conflicts.append(problem)
    return conflicts


def cpu_facts() -> dict:
    from papergym.core.llm.llamacpp import cpu_has_amx, extra_buffers_allowed

    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as cpuinfo:
            model = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), model)
    except OSError:
        pass
    amx = cpu_has_amx()
    return {
        "model": model,
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "amx": amx,
        "amx_guard": amx and not extra_buffers_allowed(),
    }


def cuda_facts() -> dict:
    """CUDA devices as torch sees them: name, compute capability, bf16, free and total memory.

    Without a GPU the note is the driver's reason first (``no_gpu_reason``,
    what the Models screen shows too); torch's own reason only matters when
    there is a GPU that torch cannot use.
    """
    facts: dict = {"driver_sees_gpu": nvidia_gpu_visible(), "torch_cuda": None, "devices": []}
    absent = no_gpu_reason()
    if importlib.util.find_spec("torch") is None:
        facts["note"] = absent or "torch is not installed (pip install torch)"
        return facts
    import torch

    facts["torch_cuda"] = torch.version.cuda
    if not torch.cuda.is_available():
        facts["note"] = absent or ("this torch has no CUDA build" if torch.version.cuda is None else "torch sees no CUDA GPU")
        return facts
    from papergym.train.config import supports_bf16

    for index in range(torch.cuda.device_count()):
        capability = tuple(torch.cuda.get_device_capability(index))
        try:
            free, total = torch.cuda.mem_get_info(index)
        except RuntimeError:
            free, total = None, torch.cuda.get_device_properties(index).total_memory
        facts["devices"].append(
            {
                "index": index,
                "name": torch.cuda.get_device_name(index),
                "compute_capability": f"{capability[0]}.{capability[1]}",
                "bf16": supports_bf16(capability),  # type: ignore[arg-type]
                "free_gb": round(free / 2**30, 2) if free is not None else None,
                "total_gb": round(total / 2**30, 2),
            }
        )
    return facts


def cuda_facts_from_driver() -> dict:
    """CUDA devices as ``nvidia-smi`` lists them, without importing torch (the app's panel: torch takes seconds to import)."""
    import shutil
    import subprocess

    facts: dict = {"driver_sees_gpu": nvidia_gpu_visible(), "torch_cuda": None, "devices": []}
    absent = no_gpu_reason()
    if absent is not None:
        facts["note"] = absent
        return facts
    smi = shutil.which("nvidia-smi")
    if smi is None:
        facts["note"] = "nvidia-smi is not on the PATH, so the app cannot list the GPU (`papergym doctor` asks torch)"
        return facts
    query = "--query-gpu=index,name,compute_cap,memory.free,memory.total"
    try:
        listed = subprocess.run([smi, query, "--format=csv,noheader,nounits"], capture_output=True, text=True, timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        facts["note"] = "nvidia-smi did not answer"
        return facts
    for line in listed.stdout.strip().splitlines():
        parts = [part.strip() for part in line.split(",")]
        if len(parts) != 5:
            continue
        index, name, capability, free_mib, total_mib = parts
        try:
            major = int(capability.split(".")[0])
            free_gb, total_gb = round(float(free_mib) / 1024, 2), round(float(total_mib) / 1024, 2)
        except ValueError:
            continue
        facts["devices"].append(
            {
                "index": int(index),
                "name": name,
                "compute_capability": capability,
                "bf16": major >= 8,
                "free_gb": free_gb,
                "total_gb": total_gb,
            }
        )
    return facts


def library_facts(library_folder: Path | str | None) -> dict:
    if library_folder is None:
        return {"path": None}
    from papergym.core.library import MIGRATIONS, Library

    folder = Path(library_folder)
    facts: dict = {"path": str(folder), "schema_version": None, "schema_expected": len(MIGRATIONS)}
    if not (folder / "library.db").is_file():
        facts["note"] = "no library here yet (papergym import creates one)"
        return facts
    library = Library(folder)
    try:
        facts["schema_version"] = library.schema_version
    finally:
        library.close()
    return facts


def gather_facts(library_folder: Path | str | None = None, backend: bool = True, use_torch: bool = True) -> dict:
    """Everything ``papergym doctor`` reports, as plain data.

    ``backend=False`` skips importing Unsloth, ``use_torch=False`` asks the
    driver about GPUs instead of torch and only finds Tesseract's model without loading it (both: fast enough for
    the app).
    """
    versions = package_versions()
    offload = llama_supports_gpu_offload()
    cuda = cuda_facts() if use_torch else cuda_facts_from_driver()
    facts: dict = {
        "cpu": cpu_facts(),
        "cuda": cuda,
        "llama_cpp": {
            "version": versions.get("llama_cpp_python"),
            "gpu_offload": offload,
            "advice": LLAMA_CUDA_REINSTALL if offload is False and (cuda["devices"] or cuda["driver_sees_gpu"]) else None,
        },
        "packages": versions,
        "stack_conflicts": stack_conflicts(versions),
        "library": library_facts(library_folder),
        "gpu_queue": {"folder": str(lease_dir()), "jobs": [entry.as_dict() for entry in queue()]},
        "ocr": ocr_facts(start_engine=use_torch),
    }
    if backend:
        from papergym.core.errors import PapergymError
        from papergym.train.config import explain_backend

        try:
            chosen, reason = explain_backend("auto", library_folder)
        except PapergymError as error:
            chosen, reason = "trl", str(error)
        facts["backend"] = {"auto": chosen, "why": reason}
    else:
        facts["backend"] = _backend_without_importing(cuda, versions)
    return facts


def ocr_facts(start_engine: bool = True) -> dict:
    """Whether a scan's first page can be read by OCR here, and if not, why (the ocr extra, Tesseract's model).

    ``start_engine=False`` (the app's quick check) does not load Tesseract's model, only finds it.
    """
    from papergym.core.ingest.ocr import ocr_unavailable_reason

    reason = ocr_unavailable_reason(start_engine=start_engine)
    try:
        tesserocr = version("tesserocr")
    except PackageNotFoundError:
        tesserocr = None
    return {"available": reason is None, "tesserocr": tesserocr, "reason": reason}


def _backend_without_importing(cuda: dict, versions: dict) -> dict:
    """What --backend auto would pick, judged from what is installed, without importing Unsloth."""
    if not cuda["devices"]:
        return {"auto": "trl", "why": NO_GPU_BACKEND_REASON}
    if not versions.get("unsloth"):
        return {"auto": "trl", "why": "a CUDA GPU is visible but Unsloth is not installed, so TRL + PEFT on the GPU."}
    return {"auto": "unsloth", "why": "a CUDA GPU is visible and Unsloth is installed (`papergym doctor` checks that it imports)."}


def summary_lines(facts: dict) -> list[str]:
    """The facts as short lines for a terminal or a panel."""
    cpu = facts["cpu"]
    lines = [
        f"CPU: {cpu['model']}, {cpu['usable_cores']} of {cpu['cores']} cores usable"
        + (", AMX (llama.cpp loads without its extra buffers)" if cpu["amx_guard"] else ", AMX" if cpu["amx"] else "")
    ]
    cuda = facts["cuda"]
    if cuda["devices"]:
        for device in cuda["devices"]:
            lines.append(
                f"GPU {device['index']}: {device['name']}, compute {device['compute_capability']}, "
                f"{'bf16' if device['bf16'] else 'no bf16 (fp16, fp32 for Gemma 3)'}, "
                f"{device['free_gb']} of {device['total_gb']} GiB free"
            )
    else:
        lines.append(
            f"GPU: none usable ({cuda.get('note') or 'torch sees none'}"
            + ("; the NVIDIA driver lists one)" if cuda["driver_sees_gpu"] else ")")
        )
    llama = facts["llama_cpp"]
    offload = {True: "GPU offload built in", False: "CPU only", None: "not installed"}[llama["gpu_offload"]]
    lines.append(f"llama.cpp: {llama['version'] or '-'}, {offload}" + (f"; for the GPU: {llama['advice']}" if llama["advice"] else ""))
    packages = facts["packages"]
    lines.append(
        "Training stack: "
        + ", ".join(f"{name} {packages[name] or '-'}" for name in ("torch", "trl", "peft", "transformers", "unsloth", "vllm"))
    )
    if facts["stack_conflicts"]:
        lines.extend(f"  does not fit: {problem}" for problem in facts["stack_conflicts"])
    else:
        lines.append("  the installed versions fit together")
    if "backend" in facts:
        lines.append(f"--backend auto: {facts['backend']['auto']} ({facts['backend']['why']})")
    library = facts["library"]
    if library.get("path"):
        schema = library.get("schema_version")
        if schema is None and library.get("note"):
            lines.append(f"Library: {library['path']}, {library['note']}")
        else:
            lines.append(f"Library: {library['path']}, schema {schema if schema is not None else '-'} of {library['schema_expected']}")
    ocr = facts.get("ocr")
    if ocr is not None:
        lines.append(
            f"OCR: Tesseract (tesserocr {ocr['tesserocr']}), a scan's first page is read for its title, authors, year and abstract"
            if ocr["available"]
            else f"OCR: off, scans keep no title or authors ({ocr['reason']})"
        )
    jobs = facts["gpu_queue"]["jobs"]
    lines.append(f"GPU queue: {len(jobs)} job(s)" if jobs else "GPU queue: empty")
    return lines

"""Auditing records (plain dicts), locally and on a Dask cluster, gives the CLI's findings."""

from __future__ import annotations

import json

import pytest

from transcript_audit.batch import audit_records
from transcript_audit.engine import AuditOptions
from transcript_audit.pipeline import audit

from .conftest import SAMPLES


def plain(index: int, agent_says: str) -> dict:
    return {
        "id": f"appel-{index}",
        "channel": "call",
        "turns": [
            {"role": "customer", "speaker": "Client", "text": "Bonjour, mon lave-linge fuit depuis hier."},
            {"role": "agent", "speaker": "Julie", "text": agent_says},
        ],
    }


RECORDS = [
    plain(1, "Votre marchandise est au back-office, normalement prochainement."),
    plain(2, "Bonjour, je suis désolée, je vous envoie un technicien demain à 9 h. Bonne journée."),
    plain(3, "C'est la faute du transporteur."),
    {"id": "cassé", "turns": [{"role": "agent"}]},  # no text: an error record, the others go on
]


def test_records_give_one_result_each_in_order_then_errors(auditor):
    results = audit_records(RECORDS)
    assert [r.get("id") for r in results[:3]] == ["appel-1", "appel-2", "appel-3"]
    assert {f["category"] for f in results[0]["findings"]} >= {"jargon", "vague"}
    assert "blame" in {f["category"] for f in results[2]["findings"]}
    assert [r["path"] for r in results[3:]] == ["cassé"] and "text" in results[3]["error"]


def test_a_speech_to_text_record_is_read_like_its_file(auditor):
    whisper = json.loads((SAMPLES / "appel-whisperx-colis.json").read_text(encoding="utf-8"))
    (result,) = audit_records([{**whisper, "path": "appel-whisperx-colis.json"}])
    expected = audit([SAMPLES / "appel-whisperx-colis.json"], AuditOptions(), auditor=auditor)
    assert [f["rule"] for f in result["findings"]] == [f.rule for f in expected.findings()]


@pytest.mark.slow
def test_a_dask_cluster_of_several_workers_finds_what_a_local_run_finds(auditor):
    """The docs/scale.md recipe, on a LocalCluster of two worker processes."""
    dask_bag = pytest.importorskip("dask.bag")
    distributed = pytest.importorskip("dask.distributed")
    records = [plain(i, RECORDS[i % 3]["turns"][1]["text"]) for i in range(12)]
    local = audit_records(records)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            bag = dask_bag.from_sequence(records, npartitions=4)
            remote = bag.map_partitions(audit_records).compute()
            workers = client.run(lambda: __import__("os").getpid())
    assert len(workers) == 2
    assert remote == local
    assert sum(len(r["findings"]) for r in remote) >= 8

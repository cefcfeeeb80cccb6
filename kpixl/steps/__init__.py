"""The steps of the quarter, each one function that calls the parts below it in order: the orchestration
layer the command line (and any script) calls. See README, Development.

    create.init_workspace     kpixl init
    register.*                kpixl register template / check / export
    generate.write_workbooks  kpixl workbooks
    send.send_workbooks       kpixl send
    collect.validate_paths    kpixl validate
    collect.collect_paths     kpixl collect
    history.import_history    kpixl history import
    status.service_status     kpixl status
    review.*                  kpixl review / annotate (outstanding_for: what a lead still has to answer)
    signoff.*                 kpixl approve / reopen, and what the final paper waits for (readiness)
    log.event_log             kpixl log
    indicators.load_overview  kpixl indicators
    report.build_reports      kpixl report
    check.check_integrity     kpixl check
    export.export_figures     kpixl export
    comparators.*             kpixl comparators import / show
    roll.roll_workspace_register  kpixl register roll

workspace.py is what every step opens first: kpixl.toml, the folders, the signing key, the store, the archive.
"""

from kpixl.problems import count  # the command line counts in the same words as every step

__all__ = ["count"]

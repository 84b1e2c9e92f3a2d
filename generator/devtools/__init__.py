"""Tools for developing xiaoan itself: synthetic dossiers for benchmarks (synth), the
rule coverage matrix (coverage), the newest-versions check (newest)."""

//! Transcripts: S:/C: dialogues, swaks output and raw captures, replayed and annotated.

//! Import from Microsoft Graph exports (SPEC §11).

"""The audit's content: the AuditDocument, the tables' registry, editing, calculations, and starting an audit."""

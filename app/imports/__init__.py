"""Bulk import and export of checkpoints, units and users as Excel or CSV sheets (批量导入导出)."""

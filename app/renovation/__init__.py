"""Renovation (装修管理): permits, rectification notices and the deposit ledger."""

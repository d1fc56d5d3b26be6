"""Core models. Plugins import from here: ``from core.models import Opportunity, User``."""
from peewee import DeferredForeignKey

from core.db import BaseModel, db
from core.models.base import MoneyField, Record, list_sort_indexes
from core.models.records import (
    ACCOUNT_TYPES, DEFAULT_STAGES, INDUSTRIES, LEAD_RATINGS, LEAD_SOURCES, LEAD_STATUSES,
    OPPORTUNITY_TYPES, Account, Competitor, Contact, Document, Lead, Opportunity, OpportunityCompetitor,
    OpportunityLine, OpportunityStageHistory, Product, ProductCategory, SalesStage)
from core.models.files import StoredFile, StoredFileChunk
from core.models.system import AuditEntry, CacheStamp, JobClaim, JobRun, LoginAttempt, LoginLock, Notification, PluginState
from core.models.system import PublicChallenge, PublicSubmission
from core.models.users import SHARING_MODES, Organisation, Position, SharingMode, User, UserSession

DeferredForeignKey.resolve(Opportunity)  # Lead.converted_opportunity

CORE_MODELS = [
    Position, User, UserSession, Organisation, SharingMode, PluginState, AuditEntry, Notification, LoginAttempt,
    LoginLock, JobClaim, JobRun, Account, Contact, SalesStage, Opportunity, Lead, OpportunityStageHistory,
    ProductCategory, Product, OpportunityLine, Competitor, OpportunityCompetitor, Document, StoredFile,
    StoredFileChunk, PublicChallenge, PublicSubmission,
]  # (not CacheStamp: no record, nor data of the school; core.stamp owns it)

__all__ = [
    "ACCOUNT_TYPES", "CORE_MODELS", "CacheStamp", "DEFAULT_STAGES", "INDUSTRIES", "LEAD_RATINGS", "LEAD_SOURCES",
    "LEAD_STATUSES", "OPPORTUNITY_TYPES", "SHARING_MODES", "Account", "AuditEntry", "BaseModel", "Competitor",
    "Contact", "Document", "JobClaim", "JobRun", "Lead", "LoginAttempt", "LoginLock", "MoneyField", "Notification",
    "Opportunity", "OpportunityCompetitor", "OpportunityLine", "OpportunityStageHistory", "Organisation", "PluginState",
    "Position", "Product", "PublicChallenge", "PublicSubmission", "ProductCategory", "Record", "SalesStage", "SharingMode", "StoredFile", "StoredFileChunk",
    "User", "UserSession", "db", "list_sort_indexes",
]

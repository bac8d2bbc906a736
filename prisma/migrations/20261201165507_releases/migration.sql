-- CreateEnum
CREATE TYPE "PromotionStatus" AS ENUM ('running', 'paused', 'completed', 'rolled_back');

-- CreateTable
CREATE TABLE "Promotion" (
    "id" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "modelVersionKey" TEXT NOT NULL,
    "baselineVersionKey" TEXT,
    "status" "PromotionStatus" NOT NULL DEFAULT 'running',
    "steps" JSONB NOT NULL,
    "stepIndex" INTEGER NOT NULL DEFAULT 0,
    "stepStartedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "seed" TEXT NOT NULL,
    "reason" TEXT,
    "experimentKey" TEXT,
    "variantKey" TEXT,
    "evidence" JSONB,
    "checks" JSONB,
    "checkedAt" TIMESTAMP(3),
    "pausedReason" TEXT,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "endedAt" TIMESTAMP(3),

    CONSTRAINT "Promotion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ProductionChange" (
    "id" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "modelVersionKey" TEXT NOT NULL,
    "previousVersionKey" TEXT,
    "kind" TEXT NOT NULL,
    "promotionId" TEXT,
    "reason" TEXT,
    "actor" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ProductionChange_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Promotion_projectId_status_idx" ON "Promotion"("projectId", "status");

-- CreateIndex
CREATE INDEX "Promotion_projectId_createdAt_idx" ON "Promotion"("projectId", "createdAt");

-- CreateIndex
CREATE INDEX "ProductionChange_projectId_at_idx" ON "ProductionChange"("projectId", "at");

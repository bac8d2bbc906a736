-- CreateEnum
CREATE TYPE "DatasetStatus" AS ENUM ('freezing', 'ready');

-- CreateEnum
CREATE TYPE "DatasetFormat" AS ENUM ('jsonl', 'chat', 'fim');

-- CreateTable
CREATE TABLE "Dataset" (
    "id" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "status" "DatasetStatus" NOT NULL DEFAULT 'freezing',
    "filter" JSONB NOT NULL,
    "format" "DatasetFormat" NOT NULL DEFAULT 'jsonl',
    "fim" JSONB,
    "validationShare" DOUBLE PRECISION NOT NULL DEFAULT 0.1,
    "sampleCount" INTEGER NOT NULL DEFAULT 0,
    "contentHash" TEXT,
    "manifest" JSONB,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Dataset_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Dataset_projectId_name_key" ON "Dataset"("projectId", "name");

-- AddForeignKey
ALTER TABLE "Dataset" ADD CONSTRAINT "Dataset_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

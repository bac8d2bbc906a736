-- AlterTable
ALTER TABLE "Project" ADD COLUMN     "collectSamples" BOOLEAN NOT NULL DEFAULT true;

-- CreateTable
CREATE TABLE "OptOut" (
    "id" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "OptOut_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "OptOut_projectId_userId_key" ON "OptOut"("projectId", "userId");

-- AddForeignKey
ALTER TABLE "OptOut" ADD CONSTRAINT "OptOut_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

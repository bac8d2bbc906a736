-- AlterTable
ALTER TABLE "Experiment" ADD COLUMN     "targetEffect" DOUBLE PRECISION;

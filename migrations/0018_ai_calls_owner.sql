-- Every AI-trail row belongs to the patient it was made for (the compliance owner control).
ALTER TABLE "ai_calls" ALTER COLUMN "patient_id" SET NOT NULL;

/**
 * The only labs a model suggestion may order: common monitoring tests, by LOINC. The model picks a code from this
 * list (the JSON Schema's enum in `schemas/model-advice.schema.json` holds the same codes — a unit test keeps
 * them equal); the display and everything else in the ServiceRequest are ours.
 */
export const MONITORING_LABS: Readonly<Record<string, string>> = {
  '6301-6': 'INR in Platelet poor plasma by Coagulation assay',
  '2160-0': 'Creatinine [Mass/volume] in Serum or Plasma',
  '98979-8':
    'Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum, Plasma or Blood by Creatinine-based formula (CKD-EPI 2021)',
  '3094-0': 'Urea nitrogen [Mass/volume] in Serum or Plasma',
  '2823-3': 'Potassium [Moles/volume] in Serum or Plasma',
  '2951-2': 'Sodium [Moles/volume] in Serum or Plasma',
  '19123-9': 'Magnesium [Mass/volume] in Serum or Plasma',
  '1742-6': 'Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma',
  '1920-8': 'Aspartate aminotransferase [Enzymatic activity/volume] in Serum or Plasma',
  '2157-6': 'Creatine kinase [Enzymatic activity/volume] in Serum or Plasma',
  '3016-3': 'Thyrotropin [Units/volume] in Serum or Plasma',
  '14334-7': 'Lithium [Moles/volume] in Serum or Plasma',
  '10535-3': 'Digoxin [Mass/volume] in Serum or Plasma',
  '4548-4': 'Hemoglobin A1c/Hemoglobin.total in Blood',
  '2345-7': 'Glucose [Mass/volume] in Serum or Plasma',
  '777-3': 'Platelets [#/volume] in Blood by Automated count',
  '718-7': 'Hemoglobin [Mass/volume] in Blood',
  '4092-3': 'Vancomycin [Mass/volume] in Serum or Plasma --Trough',
};

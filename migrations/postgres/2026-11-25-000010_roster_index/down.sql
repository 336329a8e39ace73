DROP INDEX patients_roster;

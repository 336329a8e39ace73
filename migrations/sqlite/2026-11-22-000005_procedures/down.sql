DROP TABLE procedure_lines;
DROP TABLE procedures;

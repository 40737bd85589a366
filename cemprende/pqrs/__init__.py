"""PQRS: petitions, complaints, claims and suggestions, with the deadlines of Ley 1755 de 2015."""

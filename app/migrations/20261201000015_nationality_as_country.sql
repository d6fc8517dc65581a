-- Nationality is a country, as ISO 3166 names it (the form's list), as the SMS asks for it.
-- Before this, the seed wrote demonyms ("Indian"); rename the ones it wrote, so search and
-- editing agree with the form. Anything else is left as it was typed.
UPDATE cos SET nationality = m.country
FROM (VALUES
    ('Indian', 'India'),
    ('Nigerian', 'Nigeria'),
    ('Filipino', 'Philippines'),
    ('Pakistani', 'Pakistan'),
    ('Chinese', 'China'),
    ('American', 'United States of America'),
    ('Brazilian', 'Brazil'),
    ('Zimbabwean', 'Zimbabwe'),
    ('Ghanaian', 'Ghana'),
    ('South African', 'South Africa'),
    ('Vietnamese', 'Viet Nam'),
    ('Turkish', 'Turkey'),
    ('Mexican', 'Mexico'),
    ('Japanese', 'Japan'),
    ('Korean', 'Korea (Republic of)'),
    ('Australian', 'Australia'),
    ('Canadian', 'Canada'),
    ('Egyptian', 'Egypt'),
    ('Kenyan', 'Kenya'),
    ('Bangladeshi', 'Bangladesh'),
    ('Nepalese', 'Nepal'),
    ('Sri Lankan', 'Sri Lanka'),
    ('Ukrainian', 'Ukraine'),
    ('Colombian', 'Colombia'),
    ('Argentine', 'Argentina'),
    ('Jamaican', 'Jamaica'),
    ('Malaysian', 'Malaysia'),
    ('New Zealander', 'New Zealand')
) AS m(demonym, country)
WHERE cos.nationality = m.demonym;
